package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func runReaderSetup(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"reader-setup"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// readerScripts is what reader-setup prints for the readers of a pull
// dataset: each reader's instructions, in the file's order.
func readerScripts(t *testing.T, dataset datasets.Pull, account, region string) string {
	t.Helper()
	var b strings.Builder
	readers := dataset.Readers()
	for i, reader := range readers {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# ---- reader %d of %d of %s: %s\n", i+1, len(readers), dataset.Name, reader)
		b.WriteString(federation.Instructions(reader, federation.Target{AccountID: account, Region: region, Dataset: dataset.Name}))
	}
	return b.String()
}

// TestReaderSetup prints the example's readers' scripts for the account
// that moto's STS says the credentials belong to, or for --account, in the
// region the stack deploys to.
func TestReaderSetup(t *testing.T) {
	examples := filepath.Join("..", "..", naming.ExamplesDir)
	t.Setenv(EnvDatasetsDir, examples)
	set, err := datasets.Load(examples)
	if err != nil {
		t.Fatal(err)
	}
	caseload := set.Pull[0]
	if caseload.Name != "probation_caseload" || len(caseload.Readers()) != 2 {
		t.Fatalf("the example %s has readers %v; want the Google and the Azure reader of probation_caseload", caseload.Name, caseload.Readers())
	}

	moto := motoserver.StartT(t)
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	code, stdout, stderr := runReaderSetup(t, "probation_caseload")
	if want := readerScripts(t, caseload, motoserver.AccountID, naming.DefaultRegion); code != 0 || stdout != want || stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	if !strings.Contains(stdout, "arn:aws:iam::"+motoserver.AccountID+":role/federated-reader/read_probation_caseload-") {
		t.Errorf("the scripts do not name the roles in the credentials' account:\n%s", stdout)
	}

	// --account wins, and STS is not asked: an unreachable endpoint is fine.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	t.Setenv(naming.EnvRegion, "eu-west-2")
	code, stdout, stderr = runReaderSetup(t, "probation_caseload", "--account", "210987654321")
	if want := readerScripts(t, caseload, "210987654321", "eu-west-2"); code != 0 || stdout != want {
		t.Fatalf("--account: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	code, _, stderr = runReaderSetup(t, "probation_caseload")
	if code != 1 || !strings.Contains(stderr, "ask STS which account the AWS credentials belong to") || !strings.Contains(stderr, "--account") {
		t.Errorf("without STS: exit %d, stderr %q; want 1 and to be told to give --account", code, stderr)
	}
}

func TestReaderSetupRefuses(t *testing.T) {
	t.Setenv(EnvDatasetsDir, filepath.Join("..", "..", naming.ExamplesDir))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no dataset", nil, 2, "reader-setup: missing the dataset name"},
		{"two datasets", []string{"a", "b"}, 2, `reader-setup: one dataset name only; unexpected "b"`},
		{"short account", []string{"--account", "12345", "probation_caseload"}, 2, `--account "12345": give the 12-digit account id`},
		{"unknown dataset", []string{"--account", "210987654321", "probation"}, 1, "no pull dataset probation in ../../examples/datasets: give the name of one, its file's name without .yaml"},
		{"a push dataset", []string{"--account", "210987654321", "court_listings_archive"}, 1, "court_listings_archive is a push dataset, but only pull datasets have readers"},
		{"no federated readers", []string{"--account", "210987654321", "tribunal_outcomes"}, 1, "pull dataset tribunal_outcomes (../../examples/datasets/pull/tribunal_outcomes.yaml) has no federated readers: list them under gcp_readers or azure_readers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runReaderSetup(t, tc.args...)
			if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tc.code, tc.stderr)
			}
		})
	}
}
