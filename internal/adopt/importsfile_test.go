package adopt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestImportsFileRoundTrip(t *testing.T) {
	entries := []Entry{
		{To: "aws_iam_role_policy.user-alpha_user_jo", ID: "alpha_user_Jo:hub_exports", Found: "inline policy hub_exports on role alpha_user_Jo"},
		{To: "aws_s3_bucket.shared-export_bucket", ID: "mojap-hub-exports", Found: "bucket mojap-hub-exports\nsecond line"},
		{To: "aws_lambda_permission.push-visits-permission", ID: "export_visits-move/export_visits-move-s3-1a2b3c4"},
		{To: "aws_cloudwatch_log_group.push-visits-log_group", ID: "/aws/lambda/export_visits-move"},
		// Text YAML would read as another type, or cannot write plain.
		{To: "aws_s3_bucket.pull-n123-bucket", ID: "123"},
		{To: "aws_s3_bucket.pull-yes-bucket", ID: "yes"},
		{To: "aws_s3_bucket.pull-odd-bucket", ID: "odd: value # not a comment"},
		{To: "aws_s3_bucket.pull-colon-bucket", ID: "ends:"},
	}
	data := EncodeImports(entries)
	got, err := DecodeImports("imports.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(got) != len(entries) {
		t.Fatalf("%d entries back, want %d:\n%s", len(got), len(entries), data)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].To >= got[i].To {
			t.Errorf("entries not sorted by address: %s before %s", got[i-1].To, got[i].To)
		}
	}
	byAddress := map[string]Entry{}
	for _, e := range got {
		byAddress[e.To] = e
	}
	for _, want := range entries {
		e := byAddress[want.To]
		if e.ID != want.ID || e.Found != strings.Join(strings.Fields(want.Found), " ") || e.Line == 0 {
			t.Errorf("%s read back as %+v, want id %q, found %q", want.To, e, want.ID, want.Found)
		}
	}
	if !strings.Contains(string(data), "\n# bucket mojap-hub-exports second line\n- to: aws_s3_bucket.shared-export_bucket\n  id: mojap-hub-exports\n") {
		t.Errorf("an entry is not written plainly, its comment above it:\n%s", data)
	}
	if again := EncodeImports(got); string(again) != string(data) {
		t.Errorf("writing what was read changes the file:\n%s\nthen\n%s", data, again)
	}
}

func TestImportsFileEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	if entries, err := ReadImports(filepath.Join(dir, "imports.yaml")); entries != nil || err != nil {
		t.Errorf("a missing file: %v, %v; want no entries and no error", entries, err)
	}
	path := filepath.Join(dir, "imports.yaml")
	if err := WriteImports(path, nil); err != nil {
		t.Fatal(err)
	}
	if entries, err := ReadImports(path); len(entries) != 0 || err != nil {
		t.Errorf("an empty list: %v, %v", entries, err)
	}
	for _, text := range []string{"", "# only a comment\n"} {
		if entries, err := DecodeImports("imports.yaml", []byte(text)); len(entries) != 0 || err != nil {
			t.Errorf("%q: %v, %v; want no entries", text, entries, err)
		}
	}
	if err := os.WriteFile(path, []byte("- to: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var fileErr *ImportsFileError
	if _, err := ReadImports(path); !errors.As(err, &fileErr) || !strings.HasPrefix(err.Error(), path+":1: ") {
		t.Errorf("a bad file: %v", err)
	}
}

// TestImportsFileRefusesMistakes: each mistake is reported at its line,
// with what to write instead, and every mistake in one read.
func TestImportsFileRefusesMistakes(t *testing.T) {
	const good = "- to: aws_s3_bucket.shared-export_bucket\n  id: mojap-hub-exports\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"a mapping", "to: aws_s3_bucket.shared-export_bucket\n", []string{"imports.yaml:1: is not a list"}},
		{"a scalar entry", "- aws_s3_bucket.shared-export_bucket\n", []string{"imports.yaml:1: is not an entry"}},
		{"not YAML", "- to: [\n", []string{"imports.yaml: is not valid YAML"}},
		{"two documents", good + "---\n" + good, []string{"more than one YAML document"}},
		{"an unknown field", good + "  found: x\n", []string{`imports.yaml:3: "found" is not a field of an entry`}},
		{"no id", "- to: aws_s3_bucket.shared-export_bucket\n", []string{"imports.yaml:1: the entry has no id"}},
		{"no to", "- id: mojap-hub-exports\n", []string{"imports.yaml:1: the entry has no to"}},
		{"a field twice", good + "  id: other\n", []string{"imports.yaml:3: id is given twice"}},
		{"an id that is a number", "- to: aws_s3_bucket.shared-export_bucket\n  id: 123\n", []string{"imports.yaml:2: id is not text"}},
		{"an id that is a list", "- to: aws_s3_bucket.shared-export_bucket\n  id: [a]\n", []string{"imports.yaml:2: id is not text"}},
		{"an empty id", "- to: aws_s3_bucket.shared-export_bucket\n  id: \"\"\n", []string{"imports.yaml:2: id: \"\" is not an import id"}},
		{"an id with spaces around it", "- to: aws_s3_bucket.shared-export_bucket\n  id: \" x\"\n", []string{"imports.yaml:2: id: \" x\" is not an import id"}},
		{"not an address", "- to: mojap-hub-exports\n  id: mojap-hub-exports\n", []string{`imports.yaml:1: to: "mojap-hub-exports" is not a resource address`}},
		{"a type adopt never imports", "- to: aws_sqs_queue.shared-failed_moves_queue\n  id: x\n", []string{"imports.yaml:1: to: aws_sqs_queue: adopt imports only aws_cloudwatch_log_group, "}},
		{"a foreign logical id", "- to: aws_s3_bucket.my_bucket\n  id: x\n", []string{"imports.yaml:1: to: my_bucket is not a logical id of the exports stack"}},
		{"one address twice", good + good, []string{"imports.yaml:3: to: aws_s3_bucket.shared-export_bucket is imported at line 1 already"}},
		{"one object twice", good + "- to: aws_s3_bucket.pull-x-bucket\n  id: mojap-hub-exports\n", []string{`imports.yaml:3: id: aws_s3_bucket "mojap-hub-exports" is imported at line 1 already`}},
		{"every mistake at once", "- to: x\n  id: a\n- to: aws_s3_bucket.y\n  id: b\n", []string{"imports.yaml:1: to:", "imports.yaml:3: to:"}},
	}
	for _, c := range cases {
		entries, err := DecodeImports("imports.yaml", []byte(c.text))
		var fileErr *ImportsFileError
		if entries != nil || !errors.As(err, &fileErr) {
			t.Errorf("%s: %v, %v; want an ImportsFileError", c.name, entries, err)
			continue
		}
		if len(fileErr.Problems) != len(c.want) {
			t.Errorf("%s: %d problems, want %d:\n%v", c.name, len(fileErr.Problems), len(c.want), err)
		}
		for _, want := range c.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error\n%v\ndoes not say %q", c.name, err, want)
			}
		}
	}
}

func TestEntryType(t *testing.T) {
	if got := (Entry{To: "aws_iam_role.push-x-role"}).Type(); got != "aws_iam_role" {
		t.Errorf("Type = %q", got)
	}
	if !slices.IsSorted(ImportableTypes) || len(ImportableTypes) != 13 {
		t.Errorf("ImportableTypes = %v, want the 13 types sorted", ImportableTypes)
	}
}
