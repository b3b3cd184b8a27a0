package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/testsupport/datasetfiles"
)

func runMigrate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"migrate"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// legacyRepository writes the earlier tool's dataset files, given as paths
// and contents, into a new repository and returns it.
func legacyRepository(t *testing.T, pathsAndContents ...string) string {
	t.Helper()
	dir := t.TempDir()
	datasetfiles.Write(t, dir, pathsAndContents...)
	return dir
}

const (
	legacyPush = "  name: hub_daily\n  target_bucket: hub-landing\n  keep_files: [True]\n  users:\n    - alpha_user_Sam-Lee\n  paperwork: https://justiceuk.sharepoint.com/dpia/hub"
	legacyPull = "name: tribunal-sync\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\nusers: [alpha_user_ola-nowak]\npaperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n"
)

// TestMigrateExitStatus: 0 when every file is migrated and valid, 3 when
// some wait for a decision, 1 when some cannot be migrated, 2 for usage
// mistakes; validate then agrees.
func TestMigrateExitStatus(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no node: migrate, like validate, never starts jsii
	clean := legacyRepository(t, "pull_datasets/tribunal-sync.yaml", legacyPull)
	pending := legacyRepository(t, "pull_datasets/tribunal-sync.yaml", strings.Replace(legacyPull, "paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n", "allow_push: [False]\n", 1))
	// The earlier tool's push files name no bucket_account: each waits for
	// the recipient to give it.
	push := legacyRepository(t, "push_datasets/hub_daily.yaml", legacyPush, "pull_datasets/tribunal-sync.yaml", legacyPull)
	refused := legacyRepository(t, "push_datasets/hub-daily.yaml", strings.Replace(legacyPush, "name: hub_daily", "name: hub-daily", 1), "pull_datasets/tribunal-sync.yaml", legacyPull)
	for _, c := range []struct {
		name           string
		from           string
		code, validate int
		stderr         string
	}{
		{"all migrated", clean, 0, 0, ""},
		{"decisions pending", pending, 3, 1, "migrate: every file is written; some wait for the decisions listed in the report\n"},
		{"a push file waits for its account", push, 3, 1, "migrate: every file is written; some wait for the decisions listed in the report\n"},
		{"a name refused", refused, 1, 0, "migrate: some files were not migrated: see \"Not migrated\" in the report\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			to := filepath.Join(t.TempDir(), "datasets")
			code, stdout, stderr := runMigrate(t, "--from", c.from, "--to", to)
			if code != c.code || stderr != c.stderr || !strings.HasPrefix(stdout, "## Moving the datasets from the earlier tool\n") {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant exit %d, stderr %q and the report", code, stderr, stdout, c.code, c.stderr)
			}
			t.Setenv(EnvDatasetsDir, to)
			if code, out, _ := runValidate(t); code != c.validate {
				t.Errorf("validate after migrate: exit %d, want %d:\n%s", code, c.validate, out)
			}
		})
	}
}

// TestMigrateReportUsesValidatorWords: each problem validate reports in a
// migrated file is in the report, in the same words, followed by what the
// earlier tool deployed and the choices.
func TestMigrateReportUsesValidatorWords(t *testing.T) {
	from := legacyRepository(t,
		"pull_datasets/tribunal-sync.yaml", "name: tribunal-sync\npull_arns:\n  - arn:aws:iam::345678901234:user/tribunal-loader\nusers: [alpha_user_ola-nowak]\nallow_push: [False]\npaperwork: TBC\n",
		"push_datasets/hub_daily.yaml", "name: hub_daily\ntarget_bucket: hub-landing\nkeep_files: [False]\nusers: [alpha_user_sam-lee]\n",
	)
	to := filepath.Join(t.TempDir(), "datasets")
	code, report, _ := runMigrate(t, "--from", from, "--to", to)
	if code != exitDecisionsPending {
		t.Fatalf("exit %d:\n%s", code, report)
	}
	t.Setenv(EnvDatasetsDir, to)
	code, validated, _ := runValidate(t)
	lines := strings.Split(strings.TrimSpace(validated), "\n")
	if code != 1 || len(lines) != 7 { // six problems and the count
		t.Fatalf("validate: exit %d:\n%s", code, validated)
	}
	for _, line := range lines[:len(lines)-1] {
		file, rest, _ := strings.Cut(line, ": ")
		field, message, _ := strings.Cut(rest, ": ")
		heading := fmt.Sprintf("→ `%s`", file)
		inReport := fmt.Sprintf("`%s`: validate says “%s”\n   The earlier tool", field, message)
		at := strings.Index(report, heading)
		if at < 0 || !strings.Contains(report[at:], inReport) {
			t.Errorf("report lacks, under %s:\n%s\nreport:\n%s", heading, inReport, report)
		}
	}
}

func TestMigrateUsage(t *testing.T) {
	ours := t.TempDir()
	datasetfiles.Write(t, ours, "pull/tribunal_sync.yaml", legacyPull)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: migrate --from DIR [--to DIR] [--force]"},
		{[]string{"--from", ours, "extra"}, "usage: migrate"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
		{[]string{"--from", ours}, "migrate: --from " + ours + " holds no push_datasets/ or pull_datasets/, but " + ours + " holds pull/: those files are already in our schema"},
	} {
		code, stdout, stderr := runMigrate(t, c.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("migrate %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
	_, _, stderr := runMigrate(t)
	for _, status := range []string{"  0  every file migrated", "  3  every file migrated, and some wait", "  1  some file could not be read", "  2  usage error"} {
		if !strings.Contains(stderr, status) {
			t.Errorf("help lacks exit status %q:\n%s", status, stderr)
		}
	}
}
