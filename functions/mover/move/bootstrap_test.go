package move

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
)

// moduleRoot is the repository root, relative to this package.
const moduleRoot = "../../.."

// functionName is the Lambda function that delivers the test dataset.
var functionName = datasets.Push{Name: dataset}.MoverName()

// buildPackagedBootstrap builds the Lambda zip exactly as it ships, unpacks
// its bootstrap and returns its path, the zip's size and the binary's size.
func buildPackagedBootstrap(t testing.TB) (bin string, zipBytes, binaryBytes int64) {
	t.Helper()
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "mover.zip")
	if err := lambdazip.Build(context.Background(), moduleRoot, "./functions/mover", zipPath); err != nil {
		t.Fatal(err)
	}
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.File) != 1 || r.File[0].Name != lambdazip.BinaryName {
		t.Fatalf("the zip holds %v; want only %s", r.File, lambdazip.BinaryName)
	}
	src, err := r.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	bin = filepath.Join(dir, lambdazip.BinaryName)
	data, err := io.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(zipPath)
	return bin, info.Size(), int64(len(data))
}

// BenchmarkPackagedSize reports the size of the Lambda zip and of the
// bootstrap in it (goal: at most 10 MB).
func BenchmarkPackagedSize(b *testing.B) {
	var zipBytes, binaryBytes int64
	for b.Loop() {
		_, zipBytes, binaryBytes = buildPackagedBootstrap(b)
	}
	b.ReportMetric(float64(zipBytes)/1e6, "zip-MB")
	b.ReportMetric(float64(binaryBytes)/1e6, "bootstrap-MB")
}

// invocation is what the function posted back for one event.
type invocation struct {
	requestID, kind string // kind is "response" or "error"
	body            []byte
}

// runtimeAPI is a Lambda Runtime API (the interface the provided.al2023
// runtime gives a bootstrap): it hands out queued events and records the
// answers.
type runtimeAPI struct {
	events  chan [2]string // request id, event JSON
	results chan invocation
}

func (api *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	switch {
	case !ok:
		http.NotFound(w, r)
	case r.Method == http.MethodGet && path == "invocation/next":
		select {
		case ev := <-api.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", ev[0])
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(5*time.Minute).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:"+functionName)
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
			io.WriteString(w, ev[1])
		case <-r.Context().Done():
		}
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		api.results <- invocation{requestID: id, kind: kind, body: body}
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		api.results <- invocation{kind: "init/error", body: body}
	default:
		http.NotFound(w, r)
	}
}

// TestPackagedBootstrapHandlesS3EventsThroughTheRuntimeAPI runs the
// bootstrap from the built zip as Lambda would, feeds it a real S3 event
// and a redelivered one for an object that no longer exists anywhere, and
// checks the move and both answers.
func TestPackagedBootstrapHandlesS3EventsThroughTheRuntimeAPI(t *testing.T) {
	bin, zipSize, binarySize := buildPackagedBootstrap(t)
	t.Logf("packaged zip: %d bytes; bootstrap: %d bytes", zipSize, binarySize)
	if zipSize > 10_000_000 {
		t.Errorf("the zip is %d bytes; the goal is at most 10 MB", zipSize)
	}

	w := newWorld(t)
	moved := dataset + "/2026-11-22/daily extract+v2.csv"
	body := []byte("id,value\n1,a\n")
	w.put(moved, body, "text/csv", map[string]string{"extract": "daily"})
	large := dataset + "/large.bin"
	largeBody := randomBytes(24 * MiB)
	w.put(large, largeBody, "application/octet-stream", nil)
	gone := dataset + "/gone.csv"

	api := &runtimeAPI{events: make(chan [2]string, 3), results: make(chan invocation, 4)}
	api.events <- [2]string{"req-move", string(s3Event(Object{Bucket: exportBucket, Key: moved, Size: int64(len(body))}))}
	api.events <- [2]string{"req-large", string(s3Event(Object{Bucket: exportBucket, Key: large, Size: int64(len(largeBody))}))}
	api.events <- [2]string{"req-gone", string(s3Event(Object{Bucket: exportBucket, Key: gone, Size: 3}))}
	server := httptest.NewServer(api)
	defer server.Close()

	// Without the buckets' owners the function refuses to start, naming
	// what is missing, before it takes any event.
	unpinned := exec.Command(bin)
	unpinned.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(server.URL, "http://"),
		"DESTINATION_BUCKET="+recipientBucket, "DATASET_NAME="+dataset)
	out, _ := unpinned.CombinedOutput()
	if code := unpinned.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(out), "DESTINATION_ACCOUNT is not set") || !strings.Contains(string(out), "SOURCE_ACCOUNT is not set") {
		t.Errorf("without DESTINATION_ACCOUNT and SOURCE_ACCOUNT: exit %d, %s; want exit 1 naming both", code, out)
	}

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(server.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME="+functionName,
		"DESTINATION_BUCKET="+recipientBucket,
		"DESTINATION_ACCOUNT="+ownerAccount,
		"SOURCE_ACCOUNT="+ownerAccount,
		"DATASET_NAME="+dataset,
		"KEEP_FILES=false",
		"MULTIPART_THRESHOLD_BYTES="+fmt.Sprint(8*MiB),
		"MULTIPART_PART_BYTES="+fmt.Sprint(5*MiB),
	)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var results []invocation
	for len(results) < 3 {
		select {
		case r := <-api.results:
			results = append(results, r)
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the bootstrap answered %d of 3 invocations in 60 s; stderr: %s", len(results), stderr.String())
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		t.Logf("bootstrap peak resident memory: %d KiB", usage.Maxrss)
	}

	for i, id := range []string{"req-move", "req-large"} {
		if r := results[i]; r.requestID != id || r.kind != "response" {
			t.Errorf("answer %d = %s %s %s; want a response to %s", i, r.requestID, r.kind, r.body, id)
		}
	}
	var failure struct{ ErrorMessage string }
	json.Unmarshal(results[2].body, &failure)
	if r := results[2]; r.requestID != "req-gone" || r.kind != "error" || !strings.Contains(failure.ErrorMessage, "not moved") {
		t.Errorf("third answer = %s %s %s; want an error for req-gone", r.requestID, r.kind, r.body)
	}
	w.assertMoved(moved, body, "text/csv", map[string]string{"extract": "daily"})
	w.assertMoved(large, largeBody, "application/octet-stream", nil)
	logs := parseLog(t, &stdout)
	if logs[moved].Outcome != string(Moved) || logs[moved].S3Requests != 4 ||
		logs[large].Outcome != string(Moved) || logs[large].Parts != 5 ||
		logs[gone].Outcome != string(Failed) || !strings.Contains(logs[gone].Error, "nothing to move") {
		t.Errorf("log lines = %+v", logs)
	}
}

// TestPackagedBootstrapAsOperatorTool runs the same binary outside Lambda:
// a recipient that refuses (its bucket is missing) gives exit status 1 and
// the source stays; then the move succeeds with the right bucket.
func TestPackagedBootstrapAsOperatorTool(t *testing.T) {
	bin, _, _ := buildPackagedBootstrap(t)
	w := newWorld(t)
	key := dataset + "/operator.csv"
	w.put(key, []byte("x,y\n"), "text/csv", nil)
	event := s3Event(Object{Bucket: exportBucket, Key: key, Size: 4})
	run := func(destination string) (int, string) {
		cmd := exec.Command(bin, "--event", "-")
		cmd.Env = append(os.Environ(), "DESTINATION_BUCKET="+destination, "DESTINATION_ACCOUNT="+ownerAccount, "SOURCE_ACCOUNT="+ownerAccount, "DATASET_NAME="+dataset)
		cmd.Stdin = bytes.NewReader(event)
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	if code, out := run("no-such-recipient"); code != 1 || !strings.Contains(out, "NoSuchBucket") {
		t.Errorf("refused: exit %d, %s; want exit 1 with NoSuchBucket", code, out)
	}
	if _, _, ok := w.get(exportBucket, key); !ok {
		t.Fatal("the source was deleted although the copy was refused")
	}
	if code, out := run(recipientBucket); code != 0 {
		t.Errorf("exit %d: %s", code, out)
	}
	w.assertMoved(key, []byte("x,y\n"), "text/csv", nil)
}
