package redrive

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

// fixture is a failed-moves message body as Lambda writes it (the shape is
// AWS's documented invocation record; the event is S3's notification for a
// key with spaces and parentheses).
func fixture(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("testdata/failed-move.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// functionARN is the ARN Lambda writes in a record: qualified by $LATEST.
func functionARN(function string) string {
	return "arn:aws:lambda:" + motoserver.Region + ":" + motoserver.AccountID + ":function:" + function + ":$LATEST"
}

// record is the fixture with another function and key (given decoded; it
// is encoded as S3 encodes keys: "+" for a space, "/" kept).
func record(t testing.TB, function, key string) string {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal([]byte(fixture(t)), &rec); err != nil {
		t.Fatal(err)
	}
	rec["requestContext"].(map[string]any)["functionArn"] = functionARN(function)
	s3 := rec["requestPayload"].(map[string]any)["Records"].([]any)[0].(map[string]any)["s3"].(map[string]any)
	s3["object"].(map[string]any)["key"] = strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseFailureFixture(t *testing.T) {
	f, err := ParseFailure(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:lambda:eu-west-1:123456789012:function:export_performance_hub_daily-move"; f.Function != want {
		t.Errorf("Function = %q; want the unqualified ARN %q", f.Function, want)
	}
	if f.Dataset != "performance_hub_daily" {
		t.Errorf("Dataset = %q", f.Dataset)
	}
	if len(f.Keys) != 1 || f.Keys[0] != "performance_hub_daily/2026-11-22/daily extract (2).csv" {
		t.Errorf("Keys = %q; want the decoded key", f.Keys)
	}
	want := `failed 3 times (RetriesExhausted): 1 of 1 objects were not moved (their log lines have outcome "failed"); each is still in the source bucket or already at the destination`
	if got := f.FirstReason(); got != want {
		t.Errorf("FirstReason() = %q; want %q", got, want)
	}
	var payload struct{ Records []json.RawMessage }
	if err := json.Unmarshal(f.RequestPayload, &payload); err != nil || len(payload.Records) != 1 {
		t.Errorf("RequestPayload is not the original event: %s", f.RequestPayload)
	}
}

func TestParseFailureRefusals(t *testing.T) {
	for _, c := range []struct {
		name, body string
		is         error
		want       string
	}{
		{"not JSON", "hello", ErrNotRecord, "body is not JSON"},
		{"an S3 event, not a record", `{"Records":[]}`, ErrNotRecord, "no requestContext.functionArn or requestPayload"},
		{"not a function ARN", `{"requestContext":{"functionArn":"arn:aws:sqs:eu-west-1:1:q"},"requestPayload":{}}`, ErrNotRecord, `"arn:aws:sqs:eu-west-1:1:q" is not a Lambda function ARN`},
		{"another function", record(t, "nightly-report", "a/b.csv"), ErrNotMover, "the function nightly-report is not a mover (export_<dataset>-move)"},
		{"a mover's record without an S3 event", `{"requestContext":{"functionArn":"` + functionARN("export_x-move") + `"},"requestPayload":{"hello":1}}`, nil, "requestPayload names no object"},
	} {
		f, err := ParseFailure(c.body)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v; want an error wrapping %v and saying %q", c.name, err, c.is, c.want)
		}
		if c.is == nil && f.Dataset != "x" {
			t.Errorf("%s: Dataset = %q; want it known despite the error", c.name, f.Dataset)
		}
	}
}

func TestUnqualifiedARN(t *testing.T) {
	base := "arn:aws:lambda:eu-west-1:123456789012:function:export_a-move"
	for _, qualified := range []string{base, base + ":$LATEST", base + ":7", base + ":live"} {
		arn, name, err := unqualified(qualified)
		if err != nil || arn != base || name != "export_a-move" {
			t.Errorf("unqualified(%q) = %q, %q, %v; want %q", qualified, arn, name, err, base)
		}
	}
	for _, bad := range []string{"", "export_a-move", "arn:aws:lambda:eu-west-1:123456789012:layer:x:1", base + ":1:2", "arn:aws:lambda:eu-west-1:123456789012:function:"} {
		if _, _, err := unqualified(bad); err == nil {
			t.Errorf("unqualified(%q) succeeded", bad)
		}
	}
}

func TestDatasetOf(t *testing.T) {
	if got, ok := DatasetOf(naming.MoverName("hub_daily")); !ok || got != "hub_daily" {
		t.Errorf("DatasetOf(MoverName) = %q, %v", got, ok)
	}
	for _, name := range []string{"export_-move", "export_x", "x-move", "nightly-report", "Export_x-move"} {
		if got, ok := DatasetOf(name); ok {
			t.Errorf("DatasetOf(%q) = %q, true; want not a mover", name, got)
		}
	}
}

func TestMoverErrorsFromLogTail(t *testing.T) {
	tail := "START RequestId: 1 Version: $LATEST\n" +
		`{"time":"2026-11-22T03:33:57Z","level":"INFO","msg":"move","dataset":"d","key":"d/ok.csv","outcome":"moved"}` + "\n" +
		`{"time":"2026-11-22T03:33:57Z","level":"ERROR","msg":"move","dataset":"d","key":"d/a b.csv","outcome":"failed","error":"copy: AccessDenied"}` + "\n" +
		"END RequestId: 1\nREPORT RequestId: 1 Duration: 56.01 ms\n"
	got := moverErrors(base64.StdEncoding.EncodeToString([]byte(tail)))
	if len(got) != 1 || got[0] != "d/a b.csv: copy: AccessDenied" {
		t.Errorf("moverErrors = %q", got)
	}
	if got := moverErrors("not base64!"); got != nil {
		t.Errorf("moverErrors(garbage) = %q", got)
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("a\n  b\tc"); got != "a b c" {
		t.Errorf("shorten = %q", got)
	}
	sdkError := "copy: operation error S3: CopyObject, https response error StatusCode: 404, RequestID: 1E2F, HostID: dXJp+Zm9v=, NoSuchBucket: The specified bucket does not exist"
	if got, want := shorten(sdkError), "copy: operation error S3: CopyObject, https response error StatusCode: 404, NoSuchBucket: The specified bucket does not exist"; got != want {
		t.Errorf("shorten(SDK error) = %q; want %q", got, want)
	}
	long := strings.Repeat("é", maxReason+5)
	if got := shorten(long); len([]rune(got)) != maxReason || !strings.HasSuffix(got, "é…") {
		t.Errorf("shorten(long) has %d runes, ends %q", len([]rune(got)), got[len(got)-8:])
	}
}
