package handout

import (
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// account is the account of the plan fixtures, which moto answers for.
const account = "123456789012"

// repoRoot is the repository root, from this package's directory.
var repoRoot = filepath.Join("..", "..")

// golden compares got with testdata/name, which -update rewrites.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/handout -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("differs from %s (rerun with -update and review the diff):\n%s", file, got)
	}
}

func loadSet(t *testing.T, dir string) *datasets.Set {
	t.Helper()
	set, err := datasets.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// examples are the handouts of every example dataset.
func examples(t *testing.T) (*datasets.Set, []Handout) {
	t.Helper()
	set := loadSet(t, filepath.Join(repoRoot, naming.ExamplesDir))
	var names []string
	for _, p := range set.Push {
		names = append(names, p.Name)
	}
	for _, p := range set.Pull {
		names = append(names, p.Name)
	}
	targets, err := Named(set, names)
	if err != nil {
		t.Fatal(err)
	}
	handouts, err := Build(set, targets, account)
	if err != nil {
		t.Fatal(err)
	}
	return set, handouts
}

// TestExamplesGolden pins the handouts of the example datasets, asked for
// by name, as people and machines read them.
func TestExamplesGolden(t *testing.T) {
	_, handouts := examples(t)
	golden(t, "examples.md", []byte(Markdown(handouts)))
	data, err := json.MarshalIndent(handouts, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "examples.json", append(data, '\n'))
}

// TestPlaceholderPolicy is the recipient's policy with the handout page's
// placeholders, which docs/recipient-handout.md quotes whole.
func TestPlaceholderPolicy(t *testing.T) {
	h := ForPush(datasets.Push{Name: "<name>", Bucket: "<bucket>"}, "<account>")
	golden(t, "placeholders.json", PolicyJSON(h.Push.BucketPolicy))
}

// scenarios are the real plans of the plan summary's fixtures, each with
// the dataset files it was made from.
var scenarios = []string{
	"no_change", "add_datasets", "change_users", "change_recipient",
	"add_outside_account", "change_flags", "remove_dataset",
}

func readPlan(t *testing.T, scenario string) *plansummary.Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "plansummary", "testdata", scenario+".plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := plansummary.ParsePlan(data)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestFromPlanGolden: after each fixture's plan, the handout of every
// dataset it adds or changes, and what the other side must do.
func TestFromPlanGolden(t *testing.T) {
	for _, scenario := range scenarios {
		t.Run(scenario, func(t *testing.T) {
			plan := readPlan(t, scenario)
			if got := PlanAccount(plan); got != account {
				t.Errorf("PlanAccount = %q, want %s", got, account)
			}
			set := loadSet(t, filepath.Join("..", "plansummary", "testdata", scenario, "datasets"))
			handouts, err := Build(set, Changed(plan), PlanAccount(plan))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, scenario+".md", []byte(FromPlanMarkdown(handouts)))
		})
	}
}

// TestChanged checks what the fixtures' deploys ask of the other side.
func TestChanged(t *testing.T) {
	type want struct {
		kind           naming.Kind
		name, status   string
		acts           bool
		previousBucket string
	}
	cases := map[string][]want{
		"no_change": nil,
		"add_datasets": {
			{naming.KindPush, "prison_population_weekly", "added", true, ""},
			{naming.KindPull, "youth_justice_referrals", "added", true, ""},
		},
		"change_recipient": {{naming.KindPush, "performance_hub_daily", "changed", true, "hmpps-performance-hub-landing"}},
		// A removed dataset has no handout.
		"remove_dataset": nil,
	}
	for scenario, wants := range cases {
		var got []want
		for _, target := range Changed(readPlan(t, scenario)) {
			got = append(got, want{target.Kind, target.Name, target.Deploy.Status, target.Deploy.OtherSideActs, target.Deploy.PreviousBucket})
		}
		if !slices.Equal(got, wants) {
			t.Errorf("%s: Changed = %+v, want %+v", scenario, got, wants)
		}
	}
	// Users alone change nothing on the other side.
	for _, target := range Changed(readPlan(t, "change_users")) {
		if target.Deploy.OtherSideActs {
			t.Errorf("change_users: %s %s asks the other side to act", target.Kind, target.Name)
		}
	}
}

// TestGrantsMatchTheSynthesizedStack: what each handout asks the other side
// to grant is exactly what our side grants, as the stack's golden synthesis
// of the example datasets has it: for push, the mover role's actions on the
// recipient's bucket; for pull, what the bucket policy lets pull_arns do.
func TestGrantsMatchTheSynthesizedStack(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "stacks", "testdata", "exports.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stack struct {
		Resource struct {
			RolePolicies   map[string]struct{ Policy string } `json:"aws_iam_role_policy"`
			BucketPolicies map[string]struct{ Policy string } `json:"aws_s3_bucket_policy"`
		}
	}
	if err := json.Unmarshal(data, &stack); err != nil {
		t.Fatal(err)
	}
	// grants maps "action on resource" to the principals a synthesized
	// policy grants it ("" in an identity policy).
	grants := func(id, policy string) map[string][]string {
		var doc struct {
			Statement []struct {
				Effect    string
				Principal struct{ AWS []string }
				Action    []string
				Resource  []string
			}
		}
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		out := map[string][]string{}
		for _, s := range doc.Statement {
			for _, a := range s.Action {
				for _, r := range s.Resource {
					if s.Effect == "Allow" {
						out[a+" on "+r] = append(out[a+" on "+r], s.Principal.AWS...)
					}
				}
			}
		}
		return out
	}

	_, handouts := examples(t)
	checked := map[naming.Kind]int{}
	for _, h := range handouts {
		var asked []string
		synthesized := map[string][]string{}
		switch h.Kind {
		case naming.KindPush:
			s := h.Push.BucketPolicy.Statement[0]
			for _, a := range s.Action {
				asked = append(asked, a+" on "+s.Resource)
			}
			id := naming.DatasetLogicalID(naming.KindPush, h.Name, naming.PartMoverRolePolicy)
			for grant := range grants(id, stack.Resource.RolePolicies[id].Policy) {
				if strings.HasPrefix(grant[strings.Index(grant, " on ")+4:], "arn:aws:s3:::"+h.Push.Bucket+"/") {
					synthesized[grant] = nil
				}
			}
		case naming.KindPull:
			for _, s := range h.Pull.ReaderPolicy.Statement {
				for _, a := range s.Action {
					asked = append(asked, a+" on "+s.Resource)
				}
			}
			id := naming.DatasetLogicalID(naming.KindPull, h.Name, naming.PartBucketPolicy)
			for grant, principals := range grants(id, stack.Resource.BucketPolicies[id].Policy) {
				// Every pull_arns role: federated readers' roles may be
				// granted the same.
				if !slices.ContainsFunc(h.Pull.Readers, func(r string) bool { return !slices.Contains(principals, r) }) {
					synthesized[grant] = nil
				}
			}
		}
		slices.Sort(asked)
		if got := slices.Sorted(maps.Keys(synthesized)); len(got) == 0 || !slices.Equal(asked, got) {
			t.Errorf("%s %s: the handout asks for %q, but the stack grants %q", h.Kind, h.Name, asked, got)
		}
		checked[h.Kind]++
	}
	if checked[naming.KindPush] == 0 || checked[naming.KindPull] == 0 {
		t.Errorf("checked %v: want both kinds", checked)
	}
}

// TestStatementIDs: letters and digits only, as IAM allows, and distinct
// for distinct datasets.
func TestStatementIDs(t *testing.T) {
	alphanumeric := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	seen := map[string]string{}
	for _, name := range []string{"new_project", "new_project2", "newproject", "a", "x9_y"} {
		h := ForPush(datasets.Push{Name: name, Bucket: "b"}, account)
		id := h.Push.BucketPolicy.Statement[0].Sid
		if !alphanumeric.MatchString(id) {
			t.Errorf("%s: Sid %q", name, id)
		}
		if other, ok := seen[id]; ok {
			t.Errorf("%s and %s share the Sid %s", name, other, id)
		}
		seen[id] = name
	}
	if got := sid("new_project", "Export", ""); got != "AnalyticalPlatformExportNewProject" {
		t.Errorf("sid = %s", got)
	}
}

// TestEveryActionIsExplained: the recipient reads why the mover needs each
// action it asks for.
func TestEveryActionIsExplained(t *testing.T) {
	actions := RecipientActions()
	for _, a := range actions {
		if actionPurposes[a] == "" {
			t.Errorf("%s has no entry in actionPurposes", a)
		}
	}
	for a := range actionPurposes {
		if !slices.Contains(actions, a) {
			t.Errorf("actionPurposes explains %s, which the mover is not granted", a)
		}
	}
}

func TestNamed(t *testing.T) {
	set := &datasets.Set{Push: []datasets.Push{{Name: "both"}, {Name: "a"}}, Pull: []datasets.Pull{{Name: "both"}}}
	targets, err := Named(set, []string{"both", "a"})
	want := []Target{{Kind: naming.KindPush, Name: "both"}, {Kind: naming.KindPull, Name: "both"}, {Kind: naming.KindPush, Name: "a"}}
	if err != nil || !slices.Equal(targets, want) {
		t.Errorf("Named = %+v, %v", targets, err)
	}
	if _, err := Named(set, []string{"a", "nope"}); err == nil || err.Error() != "no dataset is called nope: the datasets are both (push), a (push), both (pull)" {
		t.Errorf("unknown name: %v", err)
	}
}

func TestAccountProblem(t *testing.T) {
	for _, good := range []string{"123456789012", "012345678901"} {
		if p := AccountProblem(good); p != "" {
			t.Errorf("%s: %s", good, p)
		}
	}
	for _, bad := range []string{"", "12345678901", "1234567890123", "arn:aws:iam::123456789012:root", "12345678901a"} {
		if AccountProblem(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
