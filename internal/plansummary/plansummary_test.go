package plansummary

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden testdata/<scenario>.md files")

// scenarios are the real plans in testdata, made against moto by
// `make plan-fixtures` (devtools/planfixtures).
var scenarios = []string{
	"no_change", "add_datasets", "change_users", "change_recipient",
	"add_outside_account", "change_flags", "remove_dataset",
}

// summarizeScenario summarizes one fixture with its own dataset files.
func summarizeScenario(t *testing.T, scenario string) *Summary {
	t.Helper()
	planJSON, err := os.ReadFile(filepath.Join("testdata", scenario+".plan.json"))
	if err != nil {
		t.Fatalf("%v (regenerate the fixtures with make plan-fixtures)", err)
	}
	s, err := Summarize(planJSON, PaperworkLookup{Dir: filepath.Join("testdata", scenario, "datasets")})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	return s
}

func TestGolden(t *testing.T) {
	for _, scenario := range scenarios {
		t.Run(scenario, func(t *testing.T) {
			got := summarizeScenario(t, scenario).Markdown()
			golden := filepath.Join("testdata", scenario+".md")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/plansummary -update)", err)
			}
			if got != string(want) {
				t.Errorf("summary differs from %s (rerun with -update and review the diff):\n%s", golden, got)
			}
			// The same plan summarizes to the same bytes every time.
			if again := summarizeScenario(t, scenario).Markdown(); again != got {
				t.Errorf("second summary differs from the first")
			}
		})
	}
}

// The golden files show the whole text; these tests pin what each scenario
// must say, so that rewriting the goldens cannot hide a wrong summary.

func TestNoChange(t *testing.T) {
	s := summarizeScenario(t, "no_change")
	if !s.Empty() || len(s.Datasets) != 0 || len(s.Destructive) != 0 {
		t.Errorf("no_change: Empty=%v datasets=%v destructive=%v", s.Empty(), s.Datasets, s.Destructive)
	}
	if md := s.Markdown(); strings.Count(md, "\n") != 3 || !strings.Contains(md, "No changes") {
		t.Errorf("an empty plan should say so in one line after the heading, got:\n%s", md)
	}
}

func TestAddDatasets(t *testing.T) {
	s := summarizeScenario(t, "add_datasets")
	push := findDataset(t, s, "push", "prison_population_weekly")
	if push.Status != Added || push.Recipient.After != "moj-prison-population-landing" {
		t.Errorf("push: status %s, recipient %+v", push.Status, push.Recipient)
	}
	if !slices.Equal(push.UsersGained, []string{"alpha_user_analyst_three"}) || push.Paperwork != "https://paperwork.example.org/dpia/prison-population-weekly" {
		t.Errorf("push: users gained %v, paperwork %q", push.UsersGained, push.Paperwork)
	}
	pull := findDataset(t, s, "pull", "youth_justice_referrals")
	if pull.Status != Added || pull.Bucket != "mojap-youth-justice-referrals" || !slices.Equal(pull.UsersGained, []string{"alpha_user_analyst_two"}) {
		t.Errorf("pull: %+v", pull)
	}
	want := []Principal{{ARN: "arn:aws:iam::754256621582:role/yjb-referrals-reader", Account: "754256621582"}}
	if !slices.Equal(pull.PrincipalsGained, want) {
		t.Errorf("pull principals gained = %+v, want %+v (account already known)", pull.PrincipalsGained, want)
	}
	if len(s.Destructive) != 0 || len(s.Datasets) != 2 {
		t.Errorf("adding datasets: destructive %v, datasets %d", s.Destructive, len(s.Datasets))
	}
}

func TestChangeUsers(t *testing.T) {
	s := summarizeScenario(t, "change_users")
	push := findDataset(t, s, "push", "performance_hub_daily")
	if !slices.Equal(push.UsersGained, []string{"alpha_user_analyst_three"}) || !slices.Equal(push.UsersLost, []string{"alpha_user_analyst_two"}) {
		t.Errorf("push users: gained %v, lost %v", push.UsersGained, push.UsersLost)
	}
	pull := findDataset(t, s, "pull", "probation_caseload")
	if !slices.Equal(pull.UsersGained, []string{"alpha_user_analyst_two"}) || !slices.Equal(pull.UsersLost, []string{"alpha_user_analyst_one"}) {
		t.Errorf("pull users: gained %v, lost %v", pull.UsersGained, pull.UsersLost)
	}
	if len(s.Datasets) != 2 {
		t.Errorf("only the two datasets whose users change should be listed, got %d", len(s.Datasets))
	}
}

func TestChangeRecipient(t *testing.T) {
	s := summarizeScenario(t, "change_recipient")
	push := findDataset(t, s, "push", "performance_hub_daily")
	want := Diff[string]{Before: "hmpps-performance-hub-landing", After: "hmpps-performance-hub-landing-v2"}
	if push.Status != Changed || push.Recipient != want {
		t.Errorf("recipient: %s %+v, want changed %+v", push.Status, push.Recipient, want)
	}
	if md := s.Markdown(); !strings.Contains(md, "`hmpps-performance-hub-landing` → **`hmpps-performance-hub-landing-v2`**") {
		t.Errorf("the comment should show old -> new recipient:\n%s", md)
	}
}

func TestAddOutsideAccount(t *testing.T) {
	s := summarizeScenario(t, "add_outside_account")
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	want := []Principal{{ARN: "arn:aws:iam::444455556666:role/tribunal-analytics", Account: "444455556666", NewAccount: true}}
	if !slices.Equal(tribunal.PrincipalsGained, want) || len(tribunal.PrincipalsLost) != 0 {
		t.Errorf("tribunal principals: gained %+v lost %+v, want gained %+v", tribunal.PrincipalsGained, tribunal.PrincipalsLost, want)
	}
	probation := findDataset(t, s, "pull", "probation_caseload")
	want = []Principal{{ARN: "arn:aws:iam::754256621582:role/probation-dashboard", Account: "754256621582"}}
	if !slices.Equal(probation.PrincipalsGained, want) {
		t.Errorf("probation principals gained %+v, want %+v (a known account)", probation.PrincipalsGained, want)
	}
	if md := s.Markdown(); strings.Count(md, "new outside account") != 1 {
		t.Errorf("exactly one principal is in a new account:\n%s", md)
	}
}

func TestChangeFlags(t *testing.T) {
	s := summarizeScenario(t, "change_flags")
	flags := map[string][]FlagChange{}
	for _, d := range s.Datasets {
		flags[d.Name] = d.Flags
	}
	want := map[string][]FlagChange{
		"performance_hub_daily": {{flagKeepFiles, false, true}},
		"tribunal_outcomes":     {{flagAllowPush, true, false}},
		"probation_caseload":    {{flagBucketVersioning, true, false}},
	}
	for name, w := range want {
		if !slices.Equal(flags[name], w) {
			t.Errorf("%s flags = %+v, want %+v", name, flags[name], w)
		}
	}
	// Turning versioning off deletes the versioning resource: data at risk.
	if !hasDataRisk(s, "aws_s3_bucket_versioning.pull-probation_caseload-bucket_versioning", "versioning") {
		t.Errorf("turning versioning off should be a data risk: %+v", s.Destructive)
	}
}

func TestRemoveDataset(t *testing.T) {
	s := summarizeScenario(t, "remove_dataset")
	push := findDataset(t, s, "push", "court_listings_archive")
	if push.Status != Removed || push.Recipient.Before != "cloud-platform-court-archive" || !slices.Equal(push.UsersLost, []string{"alpha_user_analyst_two"}) {
		t.Errorf("removed push: %+v", push)
	}
	if push.Paperwork != "" || !strings.Contains(push.PaperworkNote, "deleted") {
		t.Errorf("a removed dataset has no file; paperwork %q note %q", push.Paperwork, push.PaperworkNote)
	}
	if len(s.Destructive) == 0 {
		t.Fatal("removing a push dataset deletes its mover: the summary lists no destructive change")
	}
	for _, d := range s.Destructive {
		if d.DataRisk != "" {
			t.Errorf("removing a push dataset holds no data, but %s is flagged: %s", d.Address, d.DataRisk)
		}
	}
	md := s.Markdown()
	if !strings.HasPrefix(md[strings.Index(md, "\n\n")+2:], "**Datasets") || strings.Index(md, "deleted or replaced") > strings.Index(md, "### Datasets") {
		t.Errorf("destructive changes must come before the datasets:\n%s", md)
	}
}

func TestEveryResourceIsPlaced(t *testing.T) {
	for _, scenario := range scenarios {
		if s := summarizeScenario(t, scenario); len(s.Unowned) != 0 {
			t.Errorf("%s: resources without one of our logical ids: %+v", scenario, s.Unowned)
		}
	}
}

func TestUnknownPolicy(t *testing.T) {
	// The stack writes policies as literal JSON, so a real plan knows them;
	// mark one as known only after apply to see the summary say so.
	planJSON := editPlan(t, "add_outside_account", "pull-tribunal_outcomes-bucket_policy", func(c map[string]any) {
		delete(c["after"].(map[string]any), "policy")
		c["after_unknown"].(map[string]any)["policy"] = true
	})
	s, err := Summarize(planJSON, PaperworkLookup{})
	if err != nil {
		t.Fatal(err)
	}
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	if !tribunal.PrincipalsUnknown || len(tribunal.PrincipalsGained) != 0 {
		t.Errorf("unknown policy: %+v", tribunal)
	}
	if !strings.Contains(s.Markdown(), "known only after apply") {
		t.Errorf("the comment should say the principals are not known yet")
	}
}

func TestBadInput(t *testing.T) {
	tests := map[string]struct{ input, want string }{
		"not JSON":   {"Plan: 1 to add", "not JSON"},
		"other JSON": {`{"resources": []}`, "not Terraform's JSON output"},
		"state":      {`{"format_version": "1.0", "values": {"root_module": {}}}`, "this is a state, not a plan"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Summarize([]byte(tt.input), PaperworkLookup{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "terraform show -json") {
				t.Errorf("error = %v, want one containing %q and saying how to make a plan", err, tt.want)
			}
		})
	}
}

func TestWithRawPlan(t *testing.T) {
	summary := "## Plan summary\n"
	small := WithRawPlan(summary, "  + resource\n```\n")
	if !strings.HasPrefix(small, summary) || !strings.Contains(small, "<details>") || !strings.Contains(small, "````text\n  + resource\n```\n````\n</details>") {
		t.Errorf("a plan holding a fence needs a longer fence:\n%s", small)
	}
	huge := WithRawPlan(summary, strings.Repeat("é", MaxCommentBytes))
	if len(huge) > MaxCommentBytes || !strings.Contains(huge, "plan cut here") || !strings.HasSuffix(huge, "</details>\n") {
		t.Errorf("a huge plan must be cut to fit: %d bytes, ends %q", len(huge), huge[len(huge)-80:])
	}
	if !strings.Contains(huge, "é\n… plan cut") {
		t.Errorf("the cut must not split a character")
	}
}

func TestLinkEscapes(t *testing.T) {
	if got := link("https://example.org/dpia"); got != "<https://example.org/dpia>" {
		t.Errorf("plain link = %q", got)
	}
	if got := link("javascript:alert(1)"); got != "`javascript:alert(1)`" {
		t.Errorf("non-http link = %q, want a code span", got)
	}
	if got := link("https://x.org/a> **b**"); !strings.HasPrefix(got, "`") {
		t.Errorf("link with markup = %q, want a code span", got)
	}
}

func findDataset(t *testing.T, s *Summary, kind, name string) DatasetChange {
	t.Helper()
	for _, d := range s.Datasets {
		if string(d.Kind) == kind && d.Name == name {
			return d
		}
	}
	t.Fatalf("no %s dataset %s in the summary: %+v", kind, name, s.Datasets)
	return DatasetChange{}
}

func hasDataRisk(s *Summary, address, mentions string) bool {
	return slices.ContainsFunc(s.Destructive, func(d Destruction) bool {
		return d.Address == address && strings.Contains(d.DataRisk, mentions)
	})
}

func TestDataRiskRules(t *testing.T) {
	// Changes the stack never makes on its own, made by editing a real plan:
	// each must be called out as a data risk.
	tests := []struct {
		name, resource, mentions string
		edit                     func(change map[string]any)
	}{
		{"public access block weakened", "pull-tribunal_outcomes-bucket_public_access_block", "block_public_policy off",
			func(c map[string]any) {
				c["actions"] = []any{"update"}
				c["after"].(map[string]any)["block_public_policy"] = false
			}},
		{"force_destroy turned on", "pull-tribunal_outcomes-bucket", "force_destroy would be turned on",
			func(c map[string]any) {
				c["actions"] = []any{"update"}
				c["after"].(map[string]any)["force_destroy"] = true
			}},
		{"bucket replaced", "pull-tribunal_outcomes-bucket", "would be replaced",
			func(c map[string]any) { c["actions"] = []any{"delete", "create"} }},
		{"bucket policy deleted alone", "pull-tribunal_outcomes-bucket_policy", "outside principals have no access",
			func(c map[string]any) { c["actions"], c["after"] = []any{"delete"}, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planJSON := editPlan(t, "no_change", tt.resource, tt.edit)
			s, err := Summarize(planJSON, PaperworkLookup{})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Destructive) != 1 || !strings.Contains(s.Destructive[0].DataRisk, tt.mentions) {
				t.Fatalf("destructive = %+v, want one data risk mentioning %q", s.Destructive, tt.mentions)
			}
			if md := s.Markdown(); !strings.Contains(md, "[!CAUTION]") || !strings.Contains(md, "refuses to apply") {
				t.Errorf("a data risk needs the loud warning, and to say the deploy refuses it:\n%s", md)
			}
			if risks := s.DataRisks(); len(risks) != 1 || risks[0].Address != s.Destructive[0].Address {
				t.Errorf("DataRisks = %+v; the deploy must refuse this change", risks)
			}
		})
	}
}

// TestStoppingVersioningIsFlaggedNotRefused: bucket_versioning is a dataset's
// own flag, so turning it off is shown to the reviewer but the deploy goes on.
func TestStoppingVersioningIsFlaggedNotRefused(t *testing.T) {
	s := summarizeScenario(t, "change_flags")
	if !hasDataRisk(s, "aws_s3_bucket_versioning.pull-probation_caseload-bucket_versioning", "versioning") {
		t.Fatalf("stopping versioning must be flagged: %+v", s.Destructive)
	}
	if risks := s.DataRisks(); len(risks) != 0 {
		t.Errorf("DataRisks = %+v; want none, the deploy applies a flag change", risks)
	}
}

// editPlan is a fixture with one resource's change edited.
func editPlan(t *testing.T, scenario, name string, edit func(change map[string]any)) []byte {
	t.Helper()
	planJSON, err := os.ReadFile(filepath.Join("testdata", scenario+".plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(planJSON, &raw); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rc := range raw["resource_changes"].([]any) {
		if rc := rc.(map[string]any); rc["name"] == name {
			edit(rc["change"].(map[string]any))
			found = true
		}
	}
	if !found {
		t.Fatalf("%s has no resource named %s", scenario, name)
	}
	edited, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return edited
}
