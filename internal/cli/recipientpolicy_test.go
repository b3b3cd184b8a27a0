package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/internal/handout"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

// runCommand runs one command of the tool as main does, and returns its
// exit code and what it printed.
func runCommand(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// runRecipientPolicy runs recipient-policy with args.
func runRecipientPolicy(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCommand(t, append([]string{"recipient-policy"}, args...)...)
}

// readGolden is a golden file of the handout package, which this command
// prints as it is.
func readGolden(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "handout", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noAWS points the AWS SDK at a closed port, so that any AWS call fails.
func noAWS(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("AWS_ENDPOINT_URL", closed)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", motoserver.Region)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

var examplesDir = filepath.Join("..", "..", naming.ExamplesDir)

func TestRecipientPolicyUsage(t *testing.T) {
	t.Setenv(EnvDatasetsDir, examplesDir)
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{nil, "recipient-policy: name at least one dataset, or give --from-plan PLAN.json\n"},
		{[]string{"--from-plan", "plan.json", "performance_hub_daily"}, `recipient-policy: --from-plan takes the datasets from the plan: name none (got ["performance_hub_daily"])` + "\n"},
		{[]string{"--account", "12345", "performance_hub_daily"}, `recipient-policy: --account "12345" is not an AWS account id: give the 12 digits of the account the exports are deployed to` + "\n"},
		{[]string{"--account", "123456789012", "performance_hub_dialy"},
			"recipient-policy: no dataset is called performance_hub_dialy: the datasets are court_listings_archive (push), performance_hub_daily (push), probation_caseload (pull), tribunal_outcomes (pull) (in " + examplesDir + ")\n"},
	} {
		code, stdout, stderr := runRecipientPolicy(t, c.args...)
		if code != 2 || stdout != "" || !strings.HasSuffix(stderr, c.stderr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, stdout, stderr, c.stderr)
		}
	}
	if code, _, stderr := runRecipientPolicy(t, "-h"); code != 0 || !strings.Contains(stderr, "-from-plan") {
		t.Errorf("-h: exit %d, %q", code, stderr)
	}
}

// TestRecipientPolicyByName prints the example datasets' handouts, and
// pull datasets make no AWS call: they need no account.
func TestRecipientPolicyByName(t *testing.T) {
	t.Setenv(EnvDatasetsDir, examplesDir)
	noAWS(t)
	code, stdout, stderr := runRecipientPolicy(t, "--account", "123456789012", "court_listings_archive", "performance_hub_daily", "probation_caseload", "tribunal_outcomes")
	if code != 0 || stderr != "" || stdout != readGolden(t, "examples.md") {
		t.Errorf("exit %d, stderr %q, stdout differs from internal/handout/testdata/examples.md:\n%s", code, stderr, stdout)
	}
	code, stdout, stderr = runRecipientPolicy(t, "tribunal_outcomes")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "### Pull dataset `tribunal_outcomes`\n") {
		t.Errorf("pull alone, no AWS: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	// Flags may follow the names.
	code, stdout, stderr = runRecipientPolicy(t, "tribunal_outcomes", "--json")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "[\n  {\n    \"kind\": \"pull\",\n    \"name\": \"tribunal_outcomes\"") {
		t.Errorf("--json after the name: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	// A push dataset needs the account, and the credentials cannot give it.
	code, stdout, stderr = runRecipientPolicy(t, "performance_hub_daily")
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "recipient-policy: ") || !strings.Contains(strings.ToLower(stderr), "sts") || !strings.HasSuffix(stderr, "; or give --account\n") {
		t.Errorf("push, no AWS: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestRecipientPolicyAccountFromSTS finds the mover's account with the
// usual AWS settings, here moto answering for an account of its own.
func TestRecipientPolicyAccountFromSTS(t *testing.T) {
	const otherAccount = "210987654321"
	t.Setenv("MOTO_ACCOUNT_ID", otherAccount)
	moto := motoserver.StartT(t)
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	t.Setenv(EnvDatasetsDir, examplesDir)
	code, stdout, stderr := runRecipientPolicy(t, "--json", "performance_hub_daily")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var handouts []handout.Handout
	if err := json.Unmarshal([]byte(stdout), &handouts); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	wantRole := "arn:aws:iam::" + otherAccount + ":role/service-role/export_performance_hub_daily-move"
	if len(handouts) != 1 || handouts[0].Push == nil || handouts[0].Push.Account != otherAccount || handouts[0].Push.MoverRoleARN != wantRole {
		t.Fatalf("handouts %+v; want the mover role %s", handouts, wantRole)
	}
	statement := handouts[0].Push.BucketPolicy.Statement[0]
	if statement.Principal.AWS != wantRole || !slices.Equal(statement.Action, handout.RecipientActions()) ||
		statement.Resource != "arn:aws:s3:::hmpps-performance-hub-landing/performance_hub_daily/*" {
		t.Errorf("statement %+v", statement)
	}
}

// TestRecipientPolicyFromPlan: what the deploy prints after applying a
// plan, with the account the plan deploys to and no AWS call.
func TestRecipientPolicyFromPlan(t *testing.T) {
	noAWS(t)
	fixtures := filepath.Join("..", "plansummary", "testdata")
	plan := filepath.Join(fixtures, "add_datasets.plan.json")
	t.Setenv(EnvDatasetsDir, filepath.Join(fixtures, "add_datasets", "datasets"))

	code, stdout, stderr := runRecipientPolicy(t, "--from-plan", plan)
	if code != 0 || stderr != "" || stdout != readGolden(t, "add_datasets.md") {
		t.Errorf("exit %d, stderr %q, stdout differs from internal/handout/testdata/add_datasets.md:\n%s", code, stderr, stdout)
	}

	code, stdout, stderr = runRecipientPolicy(t, "--from-plan", plan, "--json")
	var handouts []handout.Handout
	if err := json.Unmarshal([]byte(stdout), &handouts); code != 0 || stderr != "" || err != nil {
		t.Fatalf("--json: exit %d, stderr %q, %v:\n%s", code, stderr, err, stdout)
	}
	var got []string
	for _, h := range handouts {
		got = append(got, string(h.Kind)+" "+h.Name+" "+h.Deploy.Status)
	}
	if want := []string{"push prison_population_weekly added", "pull youth_justice_referrals added"}; !slices.Equal(got, want) {
		t.Errorf("--json: %q, want %q", got, want)
	}

	// The plan says where the movers are: another account is a mistake.
	if code, _, stderr := runRecipientPolicy(t, "--from-plan", plan, "--account", "210987654321"); code != 2 ||
		stderr != "recipient-policy: --account 210987654321, but the plan deploys to the account 123456789012: leave --account out\n" {
		t.Errorf("--account against the plan: exit %d, stderr %q", code, stderr)
	}
	// A plan that changes nothing: no handout, and an empty JSON list.
	noChange := filepath.Join(fixtures, "no_change.plan.json")
	t.Setenv(EnvDatasetsDir, filepath.Join(fixtures, "no_change", "datasets"))
	if code, stdout, _ := runRecipientPolicy(t, "--from-plan", noChange, "--json"); code != 0 || stdout != "[]\n" {
		t.Errorf("no change, --json: exit %d, %q", code, stdout)
	}
	// Dataset files that are not the plan's.
	t.Setenv(EnvDatasetsDir, examplesDir)
	if code, _, stderr := runRecipientPolicy(t, "--from-plan", plan); code != 1 ||
		!strings.HasPrefix(stderr, "recipient-policy: the plan changes the push dataset prison_population_weekly, which has no file push/prison_population_weekly.yaml in the datasets directory") {
		t.Errorf("other datasets: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runRecipientPolicy(t, "--from-plan", filepath.Join(fixtures, "add_datasets.md")); code != 1 || !strings.Contains(stderr, "not JSON") {
		t.Errorf("not a plan: exit %d, stderr %q", code, stderr)
	}
}
