package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/datasetfiles"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func runAdopt(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"adopt"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAdoptUsage(t *testing.T) {
	if code, _, stderr := runAdopt(t, "datasets"); code != 2 || !strings.Contains(stderr, "adopt takes no arguments") {
		t.Errorf("adopt datasets: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runAdopt(t, "-h"); code != 0 || !strings.Contains(stderr, "-out") {
		t.Errorf("adopt -h: exit %d, %q", code, stderr)
	}
	invalid := t.TempDir()
	datasetfiles.Write(t, invalid, "push/hub_daily.yaml", "name: hub_daily\n")
	if code, stdout, _ := runAdopt(t, "--datasets", invalid); code != 2 || !strings.Contains(stdout, "push/hub_daily.yaml: bucket:") {
		t.Errorf("invalid datasets: exit %d, %q; want 2 and validate's problems", code, stdout)
	}
}

// TestAdoptCommand runs the command against moto: 3 while something must
// be done before the switch (a user's role is missing), 0 once not, 1 when
// AWS cannot be read, which writes no file.
func TestAdoptCommand(t *testing.T) {
	moto := motoserver.StartT(t)
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	dir := t.TempDir()
	datasetfiles.Write(t, dir, "pull/tribunal_sync.yaml",
		"name: tribunal_sync\npull_arns: [arn:aws:iam::111122223333:role/tribunal-sync]\nusers: [alpha_user_ola-nowak]\npaperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n")
	file := naming.ImportsFilePath(dir)

	code, stdout, stderr := runAdopt(t, "--datasets", dir)
	if code != 3 || !strings.Contains(stdout, "### Before the switch (1)") || !strings.Contains(stderr, "adopt: wrote "+file+": 0 resources to import\n") {
		t.Errorf("a missing role: exit %d, stdout:\n%s\nstderr %q; want 3 and the report", code, stdout, stderr)
	}
	if err := moto.CreateRoles(t.Context(), "alpha_user_ola-nowak"); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr = runAdopt(t, "--datasets", dir); code != 0 || stderr != "adopt: wrote "+file+": 0 resources to import\n" {
		t.Errorf("exit %d, stdout:\n%s\nstderr %q; want 0", code, stdout, stderr)
	}
	if entries, err := adopt.ReadImports(file); err != nil || len(entries) != 0 {
		t.Errorf("%s: %v, %v; want an empty list", file, entries, err)
	}

	other := filepath.Join(t.TempDir(), "imports.yaml")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	if code, _, stderr = runAdopt(t, "--datasets", dir, "--out", other); code != 1 || !strings.Contains(stderr, "(no file written)") {
		t.Errorf("AWS unreachable: exit %d, stderr %q; want 1", code, stderr)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("%s written although AWS could not be read (stat: %v)", other, err)
	}
}
