package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/datasetfiles"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func runValidate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"validate"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// output is lines as a command prints them.
func output(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// datasetsDir makes a temporary DATASETS_DIR holding a push and a pull file,
// each given as a path under the directory and its content, and returns the
// directory and the two files' paths.
func datasetsDir(t *testing.T, pushFile, pushContent, pullFile, pullContent string) (dir, push, pull string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv(EnvDatasetsDir, dir)
	datasetfiles.Write(t, dir, pushFile, pushContent, pullFile, pullContent)
	return dir, filepath.Join(dir, pushFile), filepath.Join(dir, pullFile)
}

// TestValidateShippedDatasets: the datasets production deploys and the
// examples the tests and the demo read are all valid; an empty datasets/ is
// valid too.
func TestValidateShippedDatasets(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no node: validate must never start jsii
	for _, dir := range []string{filepath.Join("..", "..", naming.DatasetsDir), filepath.Join("..", "..", naming.ExamplesDir)} {
		t.Setenv(EnvDatasetsDir, dir)
		code, stdout, stderr := runValidate(t)
		if code != 0 || !strings.HasSuffix(stdout, " in "+dir+"\n") || stderr != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0 and a line saying the datasets in %s are valid", code, stdout, stderr, dir)
		}
	}
	if _, stdout, _ := runValidate(t); stdout != "4 datasets valid (2 push, 2 pull) in ../../examples/datasets\n" {
		t.Errorf("examples: %q; want the 4 examples valid", stdout)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	_, push, pull := datasetsDir(t,
		"push/hub_daily.yaml", "name: hub_daily\ntarget_bucket: arn:aws:s3:::hub-landing\nbucket_account: \"123456789012\"\nusers: [jo]\npaperwork: [https://example.com/dpia, OneTrust TBD]\n",
		"pull/reader.yml", "name: reader\n")
	code, stdout, _ := runValidate(t)
	want := output(
		pull+": (file): is not a dataset file, and only <name>.yaml files belong in pull/: rename it to reader.yaml if it is a dataset, or remove it",
		push+": target_bucket: is not a field of a push dataset: write bucket instead",
		push+": target_bucket: is an ARN, but bucket is the bucket's name: write it without arn:aws:s3:::, as bucket: hub-landing",
		push+": users[0]: is not an Analytical Platform role name: write alpha_user_jo",
		push+": paperwork[1]: says the paperwork is still to come (TBD), but data is shared only once it exists: write a link, https://<link to the DPIA or data sharing agreement>, or the document's name and identifier, e.g. DPIA 17056",
		"5 problems in 2 files: fix them and run validate again",
	)
	if code != 1 || stdout != want {
		t.Fatalf("exit %d, stdout:\n%s\nwant exit 1 and:\n%s", code, stdout, want)
	}
}

func TestValidateArguments(t *testing.T) {
	if code, _, stderr := runValidate(t, "datasets"); code != 2 || !strings.Contains(stderr, "takes no arguments") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runValidate(t, "--no-such-flag"); code != 2 {
		t.Fatalf("exit %d for an unknown flag", code)
	}
}

// TestValidateCheckUsers asks a real IAM API (moto) for each user's role: one
// exists, one does not and is reported where it is listed.
func TestValidateCheckUsers(t *testing.T) {
	moto := motoserver.StartT(t)
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	if err := moto.CreateRoles(t.Context(), "alpha_user_present"); err != nil {
		t.Fatal(err)
	}

	dir, push, pull := datasetsDir(t,
		"push/hub_daily.yaml", "name: hub_daily\nbucket: hub-landing\nbucket_account: \"123456789012\"\nusers: [alpha_user_present, alpha_user_gone]\npaperwork: https://example.com/dpia\n",
		"pull/reader.yaml", "name: reader\npull_arns: ['arn:aws:iam::754256621582:role/reader']\nusers: [alpha_user_gone]\npaperwork: https://example.com/dpia\n")

	code, stdout, stderr := runValidate(t, "--check-users")
	gone := ": the IAM role alpha_user_gone does not exist, and the deploy would fail on it: check the spelling, or remove the user if they no longer use the Analytical Platform"
	want := output(
		pull+": users[0]"+gone,
		push+": users[1]"+gone,
		"2 problems in 2 files: fix them and run validate again",
	)
	if code != 1 || stdout != want {
		t.Fatalf("exit %d, stdout:\n%s\nstderr: %s\nwant exit 1 and:\n%s", code, stdout, stderr, want)
	}

	if err := moto.CreateRoles(t.Context(), "alpha_user_gone"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runValidate(t, "--check-users")
	if want := "2 datasets valid (1 push, 1 pull) in " + dir + "; all 2 users' roles exist\n"; code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}

	// Without the flag, nothing asks AWS: an unreachable endpoint is fine.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	if code, stdout, _ := runValidate(t); code != 0 || !strings.HasPrefix(stdout, "2 datasets valid") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if code, _, stderr := runValidate(t, "--check-users"); code != 1 || !strings.Contains(stderr, "--check-users: get role alpha_user_present") {
		t.Fatalf("exit %d, stderr %q; want an error naming the role being checked", code, stderr)
	}
}
