package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A real plan made against moto by make plan-fixtures.
var (
	fixturePlan     = filepath.Join("..", "plansummary", "testdata", "change_recipient.plan.json")
	fixtureDatasets = filepath.Join("..", "plansummary", "testdata", "change_recipient", "datasets")
)

func TestPlanSummaryCommand(t *testing.T) {
	rawPlan := filepath.Join(t.TempDir(), "plan.txt")
	if err := os.WriteFile(rawPlan, []byte("  ~ resource \"aws_lambda_function\" ...\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		// want are substrings of standard output.
		want []string
	}{
		{"flags before the plan", []string{"--datasets", fixtureDatasets, fixturePlan},
			[]string{"## Plan summary", "`hmpps-performance-hub-landing` in account `210987654321` → **`hmpps-performance-hub-landing-v2`**", "<https://paperwork.example.org/dsa/performance-hub-daily>"}},
		{"flags after the plan", []string{fixturePlan, "--datasets", fixtureDatasets, "--raw-plan", rawPlan},
			[]string{"<https://paperwork.example.org/", "<details><summary>Full plan</summary>", `~ resource "aws_lambda_function"`}},
		{"missing datasets directory", []string{"--datasets", t.TempDir(), fixturePlan},
			[]string{"Paperwork: no dataset file at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Run(append([]string{"plan-summary"}, tt.args...), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, stdout.String())
				}
			}
		})
	}
}

func TestPlanSummaryFromStdin(t *testing.T) {
	plan, err := os.Open(fixturePlan)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	stdin := os.Stdin
	os.Stdin = plan
	defer func() { os.Stdin = stdin }()
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"plan-summary", "--datasets", fixtureDatasets, "-"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Changed push dataset `performance_hub_daily`") {
		t.Errorf("summary from stdin:\n%s", stdout.String())
	}
}

func TestPlanSummaryErrors(t *testing.T) {
	notAPlan := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(notAPlan, []byte(`{"format_version":"1.0","values":{"root_module":{}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no plan", nil, 2, "missing the plan file"},
		{"two plans", []string{fixturePlan, fixturePlan}, 2, "one plan file only"},
		{"missing file", []string{"no-such-plan.json"}, 1, "no-such-plan.json"},
		{"state instead of plan", []string{notAPlan}, 1, notAPlan + ": this is a state, not a plan"},
		{"missing raw plan", []string{"--raw-plan", "no-such.txt", fixturePlan}, 1, "--raw-plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(append([]string{"plan-summary"}, tt.args...), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tt.code, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("nothing should be printed on failure, got %q", stdout.String())
			}
		})
	}
}

// bucketDeletionPlan is `terraform show -json` of a plan that deletes a
// pull dataset's bucket.
const bucketDeletionPlan = `{"format_version":"1.2","terraform_version":"1.11.4","errored":false,"complete":true,
"resource_changes":[{"address":"aws_s3_bucket.pull-tribunal_outcomes-bucket","mode":"managed","type":"aws_s3_bucket",
"name":"pull-tribunal_outcomes-bucket","provider_name":"registry.terraform.io/hashicorp/aws",
"change":{"actions":["delete"],"before":{"bucket":"mojap-tribunal-outcomes","force_destroy":false},"after":null,
"after_unknown":{},"before_sensitive":{},"after_sensitive":false}}]}`

func TestPlanSummaryGate(t *testing.T) {
	deletion := filepath.Join(t.TempDir(), "deletion.json")
	if err := os.WriteFile(deletion, []byte(bucketDeletionPlan), 0o644); err != nil {
		t.Fatal(err)
	}
	// A real plan that stops versioning: flagged, not refused.
	versioningStopped := filepath.Join("..", "plansummary", "testdata", "change_flags.plan.json")
	tests := []struct {
		name string
		args []string
		code int
		// stderr is what standard error must say; empty means nothing.
		stderr string
		// block is the comment's block for the risk.
		block string
	}{
		{"refused", []string{"--fail-on-data-risk", deletion}, exitDataRisk,
			"plan-summary: refusing this plan, which puts stored data, its protections or its delivery at risk:\n" +
				`  delete aws_s3_bucket.pull-tribunal_outcomes-bucket: bucket "mojap-tribunal-outcomes" would be deleted`,
			"> [!CAUTION]\n> ## :no_entry: The deploy will refuse this plan\n"},
		{"refused only when asked", []string{deletion}, 0, "", "> [!CAUTION]\n> ## :no_entry: The deploy will refuse this plan\n"},
		{"flagged, not refused", []string{"--fail-on-data-risk", versioningStopped}, 0, "", "> [!WARNING]\n> ## :warning: Flagged for the reviewer\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(append([]string{"plan-summary", "--datasets", t.TempDir()}, tt.args...), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) || (tt.stderr == "") != (stderr.Len() == 0) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tt.code, tt.stderr)
			}
			// The summary is printed either way: the deploy shows it in the run.
			if !strings.Contains(stdout.String(), tt.block) {
				t.Errorf("the summary should show the risk in its block %q:\n%s", tt.block, stdout.String())
			}
		})
	}
}

func TestPlanSummaryLabels(t *testing.T) {
	dir := t.TempDir()
	deletion := filepath.Join(dir, "deletion.json")
	if err := os.WriteFile(deletion, []byte(bucketDeletionPlan), 0o644); err != nil {
		t.Fatal(err)
	}
	fixture := func(scenario string) string {
		return filepath.Join("..", "plansummary", "testdata", scenario+".plan.json")
	}
	allLabels := "data-at-risk\nnew-outside-account\ndrift\nadopts-resources\nremoves-dataset\n"
	tests := []struct {
		name string
		args []string
		code int
		// labels is what --labels writes.
		labels string
	}{
		{"no label", []string{fixture("no_change")}, 0, ""},
		{"a new outside account", []string{fixture("add_outside_account")}, 0, "new-outside-account\n"},
		{"changed outside Terraform", []string{fixture("changed_outside")}, 0, "drift\n"},
		// The deploy's refusal does not stop the labels being written.
		{"refused", []string{"--fail-on-data-risk", deletion}, exitDataRisk, "data-at-risk\nremoves-dataset\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels, known := filepath.Join(t.TempDir(), "labels.txt"), filepath.Join(t.TempDir(), "known-labels.txt")
			var stdout, stderr bytes.Buffer
			code := Run(append([]string{"plan-summary", "--datasets", t.TempDir(), "--labels", labels, "--known-labels", known}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if got := readText(t, labels); got != tt.labels {
				t.Errorf("--labels wrote %q, want %q", got, tt.labels)
			}
			if got := readText(t, known); got != allLabels {
				t.Errorf("--known-labels wrote %q, want %q", got, allLabels)
			}
		})
	}

	var stdout, stderr bytes.Buffer
	unwritable := filepath.Join(dir, "no-such-directory", "labels.txt")
	code := Run([]string{"plan-summary", "--datasets", dir, "--labels", unwritable, fixture("no_change")}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "plan-summary: --labels: open "+unwritable) || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 1 naming --labels and the file, and no summary", code, stderr.String(), stdout.Len())
	}
}

// readText is a file's content.
func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBranchCheckCommand(t *testing.T) {
	changed := filepath.Join(t.TempDir(), "changed.txt")
	if err := os.WriteFile(changed, []byte("README.md\ndatasets/pull/new_project.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, branch, actions string
		code                  int
		want                  string
	}{
		{"matching branch", "pull_dataset/new_project", "", 0, `"pull_dataset/new_project" passes (2 changed files)`},
		{"wrong kind, locally", "push_dataset/new_project", "", 1, "error: branch \"push_dataset/new_project\" does not change datasets/push/new_project.yaml"},
		{"wrong kind, in Actions", "push_dataset/new_project", "true", 1, "::error title=Branch check::branch"},
		{"other branch, in Actions", "tidy-readme", "true", 0, "::warning title=Branch check::branch \"tidy-readme\" changes dataset files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GITHUB_ACTIONS", tt.actions)
			var stdout, stderr bytes.Buffer
			code := Run([]string{"branch-check", "--branch", tt.branch, "--changed", changed}, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout.String(), stderr.String(), tt.code, tt.want)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"branch-check"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: branch-check --branch") {
		t.Errorf("without --branch: exit %d, stderr %q", code, stderr.String())
	}
}
