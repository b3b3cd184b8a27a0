package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/datasetfiles"
)

// TestSynthRefusesInvalidDatasets: with a mistake in any dataset, synth
// prints exactly what validate prints, exits 1 and writes nothing (not even
// the mover zip, and without starting Node).
func TestSynthRefusesInvalidDatasets(t *testing.T) {
	datasetsDir(t,
		"push/hub_daily.yaml", "name: hub_daily\ntarget_bucket: arn:aws:s3:::hub-landing\nusers: [jo]\npaperwork: https://example.com/dpia\n",
		"pull/reader.yaml", "name: reader\n")
	code, synthOut, synthErr := runRefusedSynth(t)
	validateCode, validateOut, _ := runValidate(t)
	if code != 1 || validateCode != 1 {
		t.Fatalf("synth exit %d, validate exit %d; want 1 for both", code, validateCode)
	}
	if synthOut != validateOut || synthErr != "" {
		t.Errorf("synth printed\n%s(stderr %q)\nvalidate printed\n%s", synthOut, synthErr, validateOut)
	}
}

// runRefusedSynth runs Synth into an outdir that does not exist yet, with no
// node or go on PATH and no MOVER_ZIP, and fails the test if Synth writes the
// outdir: a refusal must come before the mover build, Node or any output.
func runRefusedSynth(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	outdir := filepath.Join(t.TempDir(), "cdktf.out")
	t.Setenv(EnvOutdir, outdir)
	t.Setenv(EnvMoverZip, "")
	t.Setenv("PATH", t.TempDir())
	var out, errOut bytes.Buffer
	code = Synth(&out, &errOut)
	if _, err := os.Stat(outdir); !os.IsNotExist(err) {
		t.Errorf("synth wrote %s despite refusing (stat: %v)", outdir, err)
	}
	return code, out.String(), errOut.String()
}

// datasetsDir makes a temporary DATASETS_DIR holding the given files.
func datasetsDir(t *testing.T, pathsAndContents ...string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(cli.EnvDatasetsDir, dir)
	datasetfiles.Write(t, dir, pathsAndContents...)
}

func runValidate(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Validate(nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBackendConfig(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{EnvStatePath, EnvCloudOrganization, EnvCloudWorkspace} {
		t.Setenv(name, "")
	}

	// The default: the same relative path in every clone, which the golden
	// test in stacks relies on.
	backend, err := backendConfig(root, filepath.Join(root, DefaultOutdir))
	if err != nil || backend.LocalPath != "../../../terraform.tfstate.d/exports.tfstate" || backend.CloudOrganization != "" {
		t.Errorf("default backend = %+v, %v", backend, err)
	}
	// Any outdir: the path still leads to the state under the root.
	outdir := filepath.Join(root, "build", "x", "cdktf.out")
	backend, err = backendConfig(root, outdir)
	if err != nil {
		t.Fatal(err)
	}
	if got := filepath.Join(outdir, "stacks", "exports", backend.LocalPath); got != filepath.Join(root, DefaultStatePath) {
		t.Errorf("state from %s resolves to %s", outdir, got)
	}

	t.Setenv(EnvStatePath, "/var/tmp/exports.tfstate")
	if backend, _ := backendConfig(root, outdir); backend.LocalPath != "/var/tmp/exports.tfstate" {
		t.Errorf("absolute state path = %q", backend.LocalPath)
	}

	t.Setenv(EnvCloudOrganization, "ministryofjustice")
	if backend, _ := backendConfig(root, outdir); backend.CloudOrganization != "" {
		t.Errorf("Terraform Cloud without a workspace: %+v", backend)
	}
	t.Setenv(EnvCloudWorkspace, "data-engineering-exports")
	backend, _ = backendConfig(root, outdir)
	if backend.CloudOrganization != "ministryofjustice" || backend.CloudWorkspace != "data-engineering-exports" || backend.LocalPath != "" {
		t.Errorf("Terraform Cloud backend = %+v", backend)
	}
}

// TestSynthRefusesABadAlarmTopic: a mistyped EXPORTS_ALARM_TOPIC_ARN would
// leave failed moves unannounced, so synth names the variable and the form
// it wants, and writes nothing.
func TestSynthRefusesABadAlarmTopic(t *testing.T) {
	datasetsDir(t,
		"push/hub_daily.yaml", "name: hub_daily\nbucket: hub-landing\nbucket_account: \"123456789012\"\nusers: [alpha_user_jo]\npaperwork: https://example.com/dpia\n",
		"pull/reader.yaml", "name: reader\npull_arns: [arn:aws:iam::123456789012:role/reader]\nusers: [alpha_user_jo]\npaperwork: https://example.com/dpia\n")
	t.Setenv(EnvAlarmTopic, "arn:aws:sqs:eu-west-1:123456789012:oncall")
	if code, _, stderr := runRefusedSynth(t); code != 1 || !strings.Contains(stderr, EnvAlarmTopic) || !strings.Contains(stderr, "arn:aws:sns:") {
		t.Fatalf("synth exit %d, stderr %q; want 1 naming %s and the ARN form", code, stderr, EnvAlarmTopic)
	}
	for _, good := range []string{"arn:aws:sns:eu-west-1:123456789012:data-engineering-alerts", "arn:aws:sns:eu-west-2:123456789012:alerts.fifo"} {
		t.Setenv(EnvAlarmTopic, good)
		if actions, err := alarmActions(); err != nil || len(actions) != 1 || actions[0] != good {
			t.Errorf("alarmActions() with %s = %v, %v", good, actions, err)
		}
	}
}

// TestSynthRefusesABadImportsFile: a mistake in the imports file beside
// the datasets stops synthesis with the file's line and the fix, before the
// mover is built or Node starts, and nothing is written.
func TestSynthRefusesABadImportsFile(t *testing.T) {
	datasetsDir(t,
		"push/hub_daily.yaml", "name: hub_daily\nbucket: hub-landing\nbucket_account: \"123456789012\"\nusers: [alpha_user_jo]\npaperwork: https://example.com/dpia\n",
		naming.ImportsFile, "- to: aws_s3_bucket.shared-export_bucket\n  id: mojap-hub-exports\n- to: aws_s3_bucket.shared-export_bucket\n  id: mojap-hub-exports\n")
	code, _, stderr := runRefusedSynth(t)
	if want := naming.ImportsFile + ":3: to: aws_s3_bucket.shared-export_bucket is imported at line 1 already"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("synth exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}

// TestImports: the imports file's entries become the stack's imports, each
// naming its line for messages; no file, no imports.
func TestImports(t *testing.T) {
	dir := t.TempDir()
	if imports, err := Imports(dir); err != nil || len(imports) != 0 {
		t.Errorf("no imports file: %v, %v; want no imports", imports, err)
	}
	entries := []adopt.Entry{
		{To: "aws_s3_bucket.shared-export_bucket", ID: "mojap-hub-exports", Found: "bucket mojap-hub-exports"},
		{To: "aws_iam_role.push-hub_daily-role", ID: "export_hub_daily-move"},
	}
	if err := adopt.WriteImports(naming.ImportsFilePath(dir), entries); err != nil {
		t.Fatal(err)
	}
	imports, err := Imports(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := naming.ImportsFilePath(dir)
	want := []stacks.Import{
		{To: "aws_iam_role.push-hub_daily-role", ID: "export_hub_daily-move", Source: path + ":9"},
		{To: "aws_s3_bucket.shared-export_bucket", ID: "mojap-hub-exports", Source: path + ":13"},
	}
	if !slices.Equal(imports, want) {
		t.Errorf("Imports = %+v, want %+v", imports, want)
	}
}
