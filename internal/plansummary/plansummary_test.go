package plansummary

import (
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

var update = flag.Bool("update", false, "rewrite the golden testdata/<scenario>.md files")

// scenarios are the real plans in testdata, made against moto by
// `make plan-fixtures` (devtools/planfixtures).
var scenarios = []string{
	"no_change", "add_datasets", "change_users", "change_recipient",
	"change_recipient_account", "add_outside_account", "change_flags", "remove_dataset", "changed_outside",
	"add_reader", "remove_reader",
}

// readScenario is one fixture's plan.
func readScenario(t *testing.T, scenario string) []byte {
	t.Helper()
	planJSON, err := os.ReadFile(filepath.Join("testdata", scenario+".plan.json"))
	if err != nil {
		t.Fatalf("%v (regenerate the fixtures with make plan-fixtures)", err)
	}
	return planJSON
}

// summarizeScenario summarizes one fixture with its own dataset files.
func summarizeScenario(t *testing.T, scenario string) *Summary {
	t.Helper()
	return summarize(t, readScenario(t, scenario), PaperworkLookup{Dir: filepath.Join("testdata", scenario, "datasets")})
}

// summarize parses a plan and summarizes it.
func summarize(t *testing.T, planJSON []byte, paperwork PaperworkLookup) *Summary {
	t.Helper()
	p, err := ParsePlan(planJSON)
	if err != nil {
		t.Fatalf("ParsePlan: %v", err)
	}
	return Summarize(p, paperwork)
}

// render is the Markdown of a summary.
func render(t *testing.T, s *Summary) string {
	t.Helper()
	md, err := Markdown(s)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func TestGolden(t *testing.T) {
	for _, scenario := range scenarios {
		t.Run(scenario, func(t *testing.T) {
			got := render(t, summarizeScenario(t, scenario))
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
			if again := render(t, summarizeScenario(t, scenario)); again != got {
				t.Errorf("second summary differs from the first")
			}
		})
	}
}

// The golden files show the whole text; these tests pin what each scenario
// must say, so that rewriting the goldens cannot hide a wrong summary.

func TestNoChange(t *testing.T) {
	s := summarizeScenario(t, "no_change")
	if !s.Empty() || len(s.Datasets) != 0 || destructive(s) != 0 || len(s.Drift) != 0 {
		t.Errorf("no_change: Empty=%v datasets=%v destructive=%d drift=%v", s.Empty(), s.Datasets, destructive(s), s.Drift)
	}
	if md := render(t, s); strings.Count(md, "\n") != 3 || !strings.Contains(md, "No changes") {
		t.Errorf("an empty plan should say so in one line after the heading, got:\n%s", md)
	}
}

func TestAddDatasets(t *testing.T) {
	s := summarizeScenario(t, "add_datasets")
	push := findDataset(t, s, "push", "prison_population_weekly")
	if push.Status != Added || push.Recipient.After != "moj-prison-population-landing" || push.RecipientAccount.After != "754256621582" || push.NewRecipientAccount {
		t.Errorf("push: status %s, recipient %+v in %+v (new %v); want in 754256621582, known from the pull principals", push.Status, push.Recipient, push.RecipientAccount, push.NewRecipientAccount)
	}
	if !slices.Equal(push.UsersGained, []string{"alpha_user_analyst_three"}) || !slices.Equal(push.Paperwork, []string{"https://paperwork.example.org/dpia/prison-population-weekly"}) {
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
	if destructive(s) != 0 || len(s.Datasets) != 2 {
		t.Errorf("adding datasets: destructive %d, datasets %d", destructive(s), len(s.Datasets))
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
	if push.RecipientAccount.Changed() || push.RecipientAccount.After != "210987654321" || push.NewRecipientAccount {
		t.Errorf("recipient account: %+v (new %v), want 210987654321 unchanged", push.RecipientAccount, push.NewRecipientAccount)
	}
	assertSays(t, render(t, s), "- Recipient bucket changes: `hmpps-performance-hub-landing` in account `210987654321` → **`hmpps-performance-hub-landing-v2`** in account `210987654321`\n")
}

// TestChangeRecipientAccount: the same bucket name in another account is a
// change of recipient, and an account the estate never dealt with is
// marked as new.
func TestChangeRecipientAccount(t *testing.T) {
	s := summarizeScenario(t, "change_recipient_account")
	push := findDataset(t, s, "push", "performance_hub_daily")
	want := Diff[string]{Before: "210987654321", After: "555566667777"}
	if push.Status != Changed || push.Recipient.Changed() || push.RecipientAccount != want || !push.NewRecipientAccount {
		t.Errorf("%s, recipient %+v, account %+v (new %v); want changed, the bucket the same, the account %+v and new",
			push.Status, push.Recipient, push.RecipientAccount, push.NewRecipientAccount, want)
	}
	assertSays(t, render(t, s), "- Recipient bucket changes: `hmpps-performance-hub-landing` in account `210987654321` → "+
		"`hmpps-performance-hub-landing` in account **`555566667777`** — :warning: **new outside account**\n")
	if len(s.Datasets) != 1 {
		t.Errorf("only the dataset whose account changes should be listed, got %d", len(s.Datasets))
	}
}

// TestRecipientAccounts: the account beside each recipient, on plans the
// fixtures do not make: an account is new unless the prior state dealt
// with it (an ARN, a pull principal, or another mover's recipient); a
// mover deployed before accounts were pinned says so; a removed dataset
// shows the account it delivered to.
func TestRecipientAccounts(t *testing.T) {
	const dataset, recipient = "court_listings_archive", "cloud-platform-court-archive"
	functionRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_lambda_function", pushID(dataset, "function"), actions, before, after)
	}
	otherMover := priorResource("aws_lambda_function", pushID("performance_hub_daily", "function"),
		moverFunctionValues("performance_hub_daily", "hmpps-performance-hub-landing", "210987654321"))
	for _, c := range []struct {
		name  string
		plan  *Plan
		says  string
		isNew bool
	}{
		{"added, in an account another mover delivers to",
			planWithPrior(t, []*tfjson.StateResource{otherMover}, functionRC(actCreate, nil, moverFunctionValues(dataset, recipient, "210987654321"))),
			"- Recipient bucket: **`cloud-platform-court-archive`** in account **`210987654321`**\n", false},
		{"added, in an account never dealt with",
			planWithPrior(t, []*tfjson.StateResource{otherMover}, functionRC(actCreate, nil, moverFunctionValues(dataset, recipient, "444455556666"))),
			"- Recipient bucket: **`cloud-platform-court-archive`** in account **`444455556666`** — :warning: **new outside account**\n", true},
		{"pinned for the first time",
			planOf(t, functionRC(actUpdate, moverFunctionValues(dataset, recipient, ""), moverFunctionValues(dataset, recipient, "123456789012"))),
			"- Recipient bucket changes: `cloud-platform-court-archive` (no account pinned) → `cloud-platform-court-archive` in account **`123456789012`** — :warning: **new outside account**\n", true},
		{"removed",
			planOf(t, functionRC(actDelete, moverFunctionValues(dataset, recipient, "444455556666"), nil)),
			"- Recipient bucket was: `cloud-platform-court-archive` in account `444455556666`\n", false},
		{"unchanged, known from the mover's own prior state",
			planWithPrior(t, []*tfjson.StateResource{priorResource("aws_lambda_function", pushID(dataset, "function"), moverFunctionValues(dataset, recipient, "444455556666"))},
				functionRC(actUpdate, moverFunctionValues(dataset, recipient, "444455556666"), with(moverFunctionValues(dataset, recipient, "444455556666"), map[string]any{"timeout": 899.0}))),
			"- Recipient bucket: `cloud-platform-court-archive` in account `444455556666` (unchanged)\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize(c.plan, PaperworkLookup{})
			if got := findDataset(t, s, "push", dataset); got.NewRecipientAccount != c.isNew {
				t.Errorf("NewRecipientAccount = %v, want %v (account %+v)", got.NewRecipientAccount, c.isNew, got.RecipientAccount)
			}
			assertSays(t, render(t, s), c.says)
		})
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
	if md := render(t, s); strings.Count(md, "new outside account") != 1 {
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
		// allow_push keeps a bucket versioned (pullexport.Versioning): off,
		// and without bucket_versioning, its versioning stops too.
		"tribunal_outcomes":  {{flagAllowPush, true, false}, {flagBucketVersioning, true, false}},
		"probation_caseload": {{flagBucketVersioning, true, false}},
	}
	for name, w := range want {
		if !slices.Equal(flags[name], w) {
			t.Errorf("%s flags = %+v, want %+v", name, flags[name], w)
		}
	}
	// Turning versioning off deletes the versioning resource: data at risk.
	if !hasRisk(s.Flagged, "aws_s3_bucket_versioning.pull-probation_caseload-bucket_versioning", VersioningStopped) {
		t.Errorf("turning versioning off should be flagged: %+v", s.Flagged)
	}
}

func TestRemoveDataset(t *testing.T) {
	s := summarizeScenario(t, "remove_dataset")
	push := findDataset(t, s, "push", "court_listings_archive")
	if push.Status != Removed || push.Recipient.Before != "cloud-platform-court-archive" || !slices.Equal(push.UsersLost, []string{"alpha_user_analyst_two"}) {
		t.Errorf("removed push: %+v", push)
	}
	if push.Paperwork != nil || push.PaperworkGap == nil || push.PaperworkGap.Reason != FileDeleted {
		t.Errorf("a removed dataset has no file; paperwork %q gap %+v", push.Paperwork, push.PaperworkGap)
	}
	if len(s.Deleted) == 0 {
		t.Fatal("removing a push dataset deletes its mover: the summary lists no deletion")
	}
	if risky := append(s.Refused, s.Flagged...); len(risky) != 0 {
		t.Errorf("removing a push dataset puts no data at risk, but these are flagged: %+v", risky)
	}
	md := render(t, s)
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
	s := summarize(t, planJSON, PaperworkLookup{})
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	if !tribunal.PrincipalsUnknown || len(tribunal.PrincipalsGained) != 0 {
		t.Errorf("unknown policy: %+v", tribunal)
	}
	if !strings.Contains(render(t, s), "known only after apply") {
		t.Errorf("the comment should say the principals are not known yet")
	}
}

func TestBadInput(t *testing.T) {
	tests := map[string]struct{ input, want string }{
		"not JSON":            {"Plan: 1 to add", "not JSON"},
		"not an object":       {`["a plan"]`, "not Terraform's JSON output"},
		"other JSON":          {`{"resources": []}`, "not Terraform's JSON output"},
		"state":               {`{"format_version": "1.0", "values": {"root_module": {}}}`, "this is a state, not a plan"},
		"future plan format":  {`{"format_version": "2.0", "resource_changes": []}`, "unsupported plan format version"},
		"format not a number": {`{"format_version": "one", "resource_changes": []}`, "invalid format version"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePlan([]byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "terraform show -json") {
				t.Errorf("error = %v, want one containing %q and saying how to make a plan", err, tt.want)
			}
		})
	}
}

func TestErroredPlan(t *testing.T) {
	planJSON := readScenario(t, "change_users")
	errored := strings.Replace(string(planJSON), `"errored": false`, `"errored": true`, 1)
	if errored == string(planJSON) {
		t.Fatal(`the fixture has no "errored": false to edit`)
	}
	s := summarize(t, []byte(errored), PaperworkLookup{})
	if md := render(t, s); !s.Errored || !strings.Contains(md, "Terraform could not finish this plan") {
		t.Errorf("an errored plan must say so first:\n%s", md)
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

func TestReferenceEscapes(t *testing.T) {
	tests := map[string]string{
		"https://example.org/dpia": "<https://example.org/dpia>",
		"DPIA 17056":               "`DPIA 17056`",
		"javascript:alert(1)":      "`javascript:alert(1)`",
		"https://x.org/a> **b**":   "`https://x.org/a> **b**`",
		"DSA `12`":                 "`DSA '12'`",
	}
	for ref, want := range tests {
		if got := reference(ref); got != want {
			t.Errorf("reference(%q) = %q, want %q", ref, got, want)
		}
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

func hasRisk(risky []RiskyChange, address string, rule Rule) bool {
	return slices.ContainsFunc(risky, func(r RiskyChange) bool { return r.Address == address && r.Risk.Rule == rule })
}

// destructive is how many changes the summary lists as refused, flagged or
// deleted.
func destructive(s *Summary) int { return len(s.Refused) + len(s.Flagged) + len(s.Deleted) }

// TestChangedOutside: after the base apply, someone added a reader in an
// account Terraform never granted to tribunal_outcomes' bucket policy and
// dropped its TLS 1.2 rule, and deleted alpha_user_analyst_one's policy for
// probation_caseload; no dataset file changed.
func TestChangedOutside(t *testing.T) {
	s := summarizeScenario(t, "changed_outside")
	const (
		bucketPolicy = "aws_s3_bucket_policy.pull-tribunal_outcomes-bucket_policy"
		userPolicy   = "aws_iam_role_policy.pull-probation_caseload-user-alpha_user_analyst_one[0]"
		handReader   = "arn:aws:iam::999988887777:role/tribunal-adhoc-analysis"
	)
	bucket := []string{"arn:aws:s3:::mojap-tribunal-outcomes"}
	objects := []string{"arn:aws:s3:::mojap-tribunal-outcomes/*"}
	want := []Drift{
		{ResourceChange: ResourceChange{Address: userPolicy, Verb: verbDelete, Ours: true,
			Owner: naming.LogicalID{Owner: naming.OwnerPull, Dataset: "probation_caseload", Part: "user", Role: "alpha_user_analyst_one"}},
			Attributes: []AttributeDrift{{Name: "policy", Policy: true, Removed: []Grant{
				{Effect: "Allow", Actions: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, Resources: []string{"arn:aws:s3:::mojap-probation-caseload/*"}},
				{Effect: "Allow", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:aws:s3:::mojap-probation-caseload"}},
			}}},
			Outcome: Recreated},
		{ResourceChange: ResourceChange{Address: bucketPolicy, Verb: verbUpdate, Ours: true,
			Owner: naming.LogicalID{Owner: naming.OwnerPull, Dataset: "tribunal_outcomes", Part: "bucket_policy"}},
			Attributes: []AttributeDrift{{Name: "policy", Policy: true,
				Added: []Grant{{Effect: "Allow", Principal: handReader, Account: "999988887777", NewAccount: true, Actions: []string{"s3:GetObject"}, Resources: objects}},
				Removed: []Grant{{Effect: "Deny", Principal: "*", Actions: []string{"s3:*"}, Resources: append(bucket, objects...),
					Condition: `{"NumericLessThan":{"s3:TlsVersion":["1.2"]}}`}},
			}},
			Outcome: Reverted},
	}
	if !reflect.DeepEqual(s.Drift, want) {
		t.Errorf("drift =\n%+v\nwant\n%+v", s.Drift, want)
	}
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	if !tribunal.ChangedOutside || !slices.Equal(tribunal.PrincipalsLost, []Principal{{ARN: handReader, Account: "999988887777"}}) || len(tribunal.PrincipalsGained) != 0 {
		t.Errorf("tribunal_outcomes: changed outside %v, principals lost %+v, gained %+v; want the reader added by hand lost", tribunal.ChangedOutside, tribunal.PrincipalsLost, tribunal.PrincipalsGained)
	}
	probation := findDataset(t, s, "pull", "probation_caseload")
	if !probation.ChangedOutside || !slices.Equal(probation.UsersGained, []string{"alpha_user_analyst_one"}) {
		t.Errorf("probation_caseload: changed outside %v, users gained %v; want alpha_user_analyst_one back", probation.ChangedOutside, probation.UsersGained)
	}
	if refused := Gate(parseScenario(t, "changed_outside")); len(refused) != 0 {
		t.Errorf("Gate = %+v; putting back what was changed by hand is no risk", refused)
	}
	md := render(t, s)
	if drift, datasets := strings.Index(md, "### Changes made outside Terraform"), strings.Index(md, "### Datasets"); drift < 0 || drift > datasets {
		t.Errorf("what changed outside Terraform must come before the datasets:\n%s", md)
	}
	assertSays(t, md,
		"> **2 resources were changed outside Terraform** since it last applied them",
		"  - Allow `"+handReader+"` in account `999988887777` — :warning: **new outside account**: `s3:GetObject` on `arn:aws:s3:::mojap-tribunal-outcomes/*`\n",
		"- This plan: **re-creates it**\n",
		"- :warning: Changed outside Terraform: see *Changes made outside Terraform* above\n",
	)
}

// TestRefusedRisksOnRealPlans makes, by editing a real plan, changes the
// stack never makes on its own: each must reach the top of the comment, say
// the deploy refuses it, and be what Gate refuses.
func TestRefusedRisksOnRealPlans(t *testing.T) {
	tests := []struct {
		name, resource string
		rule           Rule
		mentions       string
		edit           func(change map[string]any)
	}{
		{"public access block weakened", "pull-tribunal_outcomes-bucket_public_access_block", PublicAccessWeakened, "block_public_policy off",
			func(c map[string]any) {
				c["actions"] = []any{"update"}
				c["after"].(map[string]any)["block_public_policy"] = false
			}},
		{"force_destroy turned on", "pull-tribunal_outcomes-bucket", ForceDestroyOn, "force_destroy would be turned on",
			func(c map[string]any) {
				c["actions"] = []any{"update"}
				c["after"].(map[string]any)["force_destroy"] = true
			}},
		{"bucket replaced", "pull-tribunal_outcomes-bucket", BucketDeleted, "would be replaced",
			func(c map[string]any) { c["actions"] = []any{"delete", "create"} }},
		{"bucket policy deleted alone", "pull-tribunal_outcomes-bucket_policy", BucketPolicyDeleted, "outside principals have no access",
			func(c map[string]any) { c["actions"], c["after"] = []any{"delete"}, nil }},
		// This one also pins moverRolePart to the logical ids the
		// constructs write.
		{"mover role replaced", "push-performance_hub_daily-role", MoverRoleRecreated, "`export_performance_hub_daily-move` would be replaced",
			func(c map[string]any) { c["actions"] = []any{"delete", "create"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parsed(t, editPlan(t, "no_change", tt.resource, tt.edit))
			s := Summarize(p, PaperworkLookup{})
			if len(s.Refused) != 1 || s.Refused[0].Risk.Rule != tt.rule || destructive(s) != 1 {
				t.Fatalf("refused = %+v, flagged %+v, deleted %+v; want one %q risk, refused", s.Refused, s.Flagged, s.Deleted, tt.rule)
			}
			md := render(t, s)
			refusedBlock := "> [!CAUTION]\n> ## :no_entry: The deploy will refuse this plan\n"
			if !strings.Contains(md, refusedBlock) || !strings.Contains(md, "> - :no_entry: **"+s.Refused[0].Risk.Headline()+".** **") {
				t.Errorf("a refused risk needs the loud block saying the deploy refuses it, and its headline first:\n%s", md)
			}
			if strings.Contains(md, "Flagged for the reviewer") {
				t.Errorf("a refused risk is not merely flagged:\n%s", md)
			}
			if !strings.Contains(md, tt.mentions) {
				t.Errorf("the comment should say %q:\n%s", tt.mentions, md)
			}
			if refused := Gate(p.Plan); len(refused) != 1 || refused[0].Address != s.Refused[0].Address {
				t.Errorf("Gate = %+v; the deploy must refuse this change", refused)
			}
		})
	}
}

// TestStoppingVersioningIsFlaggedNotRefused: bucket_versioning is a dataset's
// own flag, so turning it off is shown to the reviewer but the deploy goes on.
func TestStoppingVersioningIsFlaggedNotRefused(t *testing.T) {
	s := summarizeScenario(t, "change_flags")
	if !hasRisk(s.Flagged, "aws_s3_bucket_versioning.pull-probation_caseload-bucket_versioning", VersioningStopped) {
		t.Fatalf("stopping versioning must be flagged: %+v", s.Flagged)
	}
	md := render(t, s)
	if len(s.Refused) != 0 || strings.Contains(md, ":no_entry:") || strings.Contains(md, "refuse") {
		t.Errorf("the summary says the deploy refuses a flag change:\n%s", md)
	}
	assertSays(t, md, "> [!WARNING]\n> ## :warning: Flagged for the reviewer\n",
		"> - :warning: **Stops versioning.** **delete** `aws_s3_bucket_versioning.pull-probation_caseload-bucket_versioning`")
	if refused := Gate(parseScenario(t, "change_flags")); len(refused) != 0 {
		t.Errorf("Gate = %+v; want none, the deploy applies a flag change", refused)
	}
}

// TestRemovingAPushDatasetPassesTheGate: a push dataset's mover role goes
// with the rest of the dataset; that is retiring it, not re-creating the
// role.
func TestRemovingAPushDatasetPassesTheGate(t *testing.T) {
	if refused := Gate(parseScenario(t, "remove_dataset")); len(refused) != 0 {
		t.Errorf("Gate = %+v; removing a push dataset holds no data", refused)
	}
}

// parseScenario is a fixture's plan.
func parseScenario(t *testing.T, scenario string) *tfjson.Plan {
	t.Helper()
	return parsed(t, readScenario(t, scenario)).Plan
}

// editPlan is a fixture with one resource's change edited.
func editPlan(t *testing.T, scenario, name string, edit func(change map[string]any)) []byte {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(readScenario(t, scenario), &raw); err != nil {
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

// TestImportedDatasetIsAdopted: a dataset whose resources the plan imports
// (the earlier tool's, say) is adopted, not added; the header counts the
// imports as Terraform does.
func TestImportedDatasetIsAdopted(t *testing.T) {
	const dataset, recipient, pulled = "court_listings_archive", "cloud-platform-court-archive", "youth_justice_referrals"
	// The earlier tool's function pinned no account; ours does.
	role, earlier, function := moverRoleValues(dataset), moverFunctionValues(dataset, recipient, ""), moverFunctionValues(dataset, recipient, "754256621582")
	exportBucket := bucketValues(naming.ExportBucket)
	p := planOf(t,
		resourceChange("aws_cloudwatch_log_group", pushID(dataset, "log_group"), actCreate, nil,
			map[string]any{"name": naming.MoverLogGroup(dataset), "retention_in_days": 90.0}),
		imported(resourceChange("aws_iam_role", pushID(dataset, "role"), actNoOp, role, role), naming.MoverName(dataset)),
		imported(resourceChange("aws_lambda_function", pushID(dataset, "function"), actUpdate,
			with(earlier, map[string]any{"runtime": "python3.9"}), function), naming.MoverName(dataset)),
		imported(resourceChange("aws_s3_bucket", naming.SharedLogicalID("export_bucket"), actNoOp, exportBucket, exportBucket), naming.ExportBucket),
		resourceChange("aws_s3_bucket", pullID(pulled, "bucket"), actCreate, nil, bucketValues(naming.PullBucket(pulled))),
	)
	s := Summarize(p, PaperworkLookup{})

	wantCounts := map[string]int{verbImport: 3, verbCreate: 2, verbUpdate: 1}
	if !maps.Equal(s.Counts, wantCounts) {
		t.Errorf("counts = %v, want %v", s.Counts, wantCounts)
	}
	adopted := findDataset(t, s, "push", dataset)
	wantResources := map[string]int{verbImport: 2, verbCreate: 1, verbUpdate: 1}
	if adopted.Status != Adopted || adopted.Recipient.Changed() || !maps.Equal(adopted.Resources, wantResources) {
		t.Errorf("adopted dataset: status %s, recipient %+v, resources %v; want adopted, unchanged, %v",
			adopted.Status, adopted.Recipient, adopted.Resources, wantResources)
	}
	if added := findDataset(t, s, "pull", pulled); added.Status != Added {
		t.Errorf("a created dataset is added, not adopted: %s", added.Status)
	}
	assertSays(t, render(t, s),
		"**Datasets: 1 added, 1 adopted.** Resources: 3 to import, 2 to create, 1 to update.\n\nNothing is deleted or replaced.\n",
		"#### Adopted push dataset `court_listings_archive`\n\n- Recipient bucket changes: `cloud-platform-court-archive` (no account pinned) → `cloud-platform-court-archive` in account **`754256621582`** — :warning: **new outside account**\n",
		"- Resources: 2 to import, 1 to create, 1 to update\n",
		"- import `aws_s3_bucket.shared-export_bucket` (shared by all datasets)\n",
	)
}

// TestPaperworkReferences: paperwork is one reference or a list; a link
// shows as a link, text naming a document as it is written.
func TestPaperworkReferences(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// change_users changes these two datasets.
		naming.DatasetFile(dir, naming.KindPush, "performance_hub_daily"): "name: performance_hub_daily\n" +
			"paperwork:\n  - https://paperwork.example.org/dsa/performance-hub-daily\n  - DPIA 17056\n",
		// An unrelated mistake (a flag written as a list) does not hide it.
		naming.DatasetFile(dir, naming.KindPull, "probation_caseload"): "name: probation_caseload\n" +
			"allow_push: [True]\npaperwork: DPIA 17056\n",
	}
	for path, content := range files {
		writeFile(t, path, content)
	}
	s := summarize(t, readScenario(t, "change_users"), PaperworkLookup{Dir: dir})
	push := findDataset(t, s, "push", "performance_hub_daily")
	if want := []string{"https://paperwork.example.org/dsa/performance-hub-daily", "DPIA 17056"}; !slices.Equal(push.Paperwork, want) {
		t.Errorf("push paperwork = %q, want %q", push.Paperwork, want)
	}
	assertSays(t, render(t, s),
		"- Paperwork:\n  - <https://paperwork.example.org/dsa/performance-hub-daily>\n  - `DPIA 17056`\n",
		"- Paperwork: `DPIA 17056`\n",
	)
}

func TestPaperworkGaps(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) { writeFile(t, naming.DatasetFile(dir, naming.KindPush, name), content) }
	write("empty_list", "paperwork: []\n")
	write("blank", "paperwork: \"  \"\n")
	write("a_map", "paperwork:\n  dpia: 17056\n")
	write("not_yaml", "paperwork: [unclosed\n")
	if err := os.Mkdir(naming.DatasetFile(dir, naming.KindPush, "a_directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lookup  PaperworkLookup
		name    string
		status  Status
		want    PaperworkReason
		explain string
	}{
		{PaperworkLookup{}, "anything", Changed, NotLookedUp, "not looked up"},
		{PaperworkLookup{Dir: dir}, "gone", Removed, FileDeleted, "deleted by this change"},
		{PaperworkLookup{Dir: dir}, "missing", Added, NoFile, "no dataset file at `" + dir + "/push/missing.yaml`"},
		{PaperworkLookup{Dir: dir}, "a_directory", Changed, Unreadable, "cannot read `" + dir + "/push/a_directory.yaml`: read "},
		{PaperworkLookup{Dir: dir}, "empty_list", Added, NoPaperworkField, "empty_list.yaml` has no readable paperwork field"},
		{PaperworkLookup{Dir: dir}, "blank", Added, NoPaperworkField, "no readable paperwork field"},
		{PaperworkLookup{Dir: dir}, "a_map", Added, NoPaperworkField, "no readable paperwork field"},
		{PaperworkLookup{Dir: dir}, "not_yaml", Added, NoPaperworkField, "no readable paperwork field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, gap := tt.lookup.find(naming.KindPush, tt.name, tt.status)
			if refs != nil || gap == nil || gap.Reason != tt.want || !strings.Contains(explain(gap), tt.explain) {
				t.Errorf("find = %q, %+v; want reason %d explained as %q", refs, gap, tt.want, tt.explain)
			}
		})
	}
}

// assertSays fails unless the comment holds each of wants.
func assertSays(t *testing.T, md string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q:\n%s", want, md)
		}
	}
}

// writeFile writes a file, making its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The real plans of adding and removing federated readers (tribunal_outcomes
// gains a Google and an Azure reader; then loses the Azure one).
var (
	fixtureGoogle = federation.GCPReader{ServiceAccountUniqueID: "118273645501928374650", ServiceAccountEmail: "tribunal-sync@moj-analysis.iam.gserviceaccount.com"}
	fixtureAzure  = federation.AzureReader{TenantID: "6b2d8f0a-1c3e-4a5b-8d7f-9e0a1b2c3d4e", ObjectID: "c4e6a8b0-2d4f-4618-9a3c-5e7f9b1d3f5a", ClientID: "8f1a3c5e-7b9d-4f2a-b4c6-d8e0f2a4c6e8"}
)

// TestAddReader: each new reader is named by its outside identity, as a
// new outside identity, and its role (which the bucket policy names) is not
// listed again as an outside principal; the real plan passes the gate.
func TestAddReader(t *testing.T) {
	s := summarizeScenario(t, "add_reader")
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	want := []FederatedReader{
		{Role: federation.RoleName("tribunal_outcomes", fixtureGoogle), Reader: fixtureGoogle, NewIdentity: true},
		{Role: federation.RoleName("tribunal_outcomes", fixtureAzure), Reader: fixtureAzure, NewIdentity: true},
	}
	if !slices.Equal(tribunal.ReadersGained, want) || len(tribunal.ReadersLost) != 0 {
		t.Errorf("readers gained %+v lost %+v; want gained %+v", tribunal.ReadersGained, tribunal.ReadersLost, want)
	}
	if len(tribunal.PrincipalsGained)+len(tribunal.PrincipalsLost) != 0 || len(s.Datasets) != 1 {
		t.Errorf("principals gained %+v lost %+v, datasets %d; the reader roles are not outside principals", tribunal.PrincipalsGained, tribunal.PrincipalsLost, len(s.Datasets))
	}
	assertSays(t, render(t, s),
		"- Federated readers gained (outside AWS, each through a role of its own, with no AWS keys):\n",
		"  - Google Cloud service account `118273645501928374650` (`tribunal-sync@moj-analysis.iam.gserviceaccount.com`) as role `"+want[0].Role+"` — :warning: **new outside identity**\n",
		"  - Azure principal `c4e6a8b0-2d4f-4618-9a3c-5e7f9b1d3f5a` in tenant `6b2d8f0a-1c3e-4a5b-8d7f-9e0a1b2c3d4e`, tokens for application `8f1a3c5e-7b9d-4f2a-b4c6-d8e0f2a4c6e8` as role `"+want[1].Role+"` — :warning: **new outside identity**\n",
	)
	if refused := Gate(parseScenario(t, "add_reader")); len(refused) != 0 {
		t.Errorf("Gate = %v; the stack's own reader roles are of the narrow shape", refused)
	}
}

// TestRemoveReader: the reader lost is named, not as a new identity; its
// tenant's provider goes with it; nothing is refused.
func TestRemoveReader(t *testing.T) {
	s := summarizeScenario(t, "remove_reader")
	tribunal := findDataset(t, s, "pull", "tribunal_outcomes")
	want := []FederatedReader{{Role: federation.RoleName("tribunal_outcomes", fixtureAzure), Reader: fixtureAzure}}
	if !slices.Equal(tribunal.ReadersLost, want) || len(tribunal.ReadersGained) != 0 || len(tribunal.PrincipalsLost) != 0 {
		t.Errorf("readers lost %+v gained %+v, principals lost %+v; want lost %+v only", tribunal.ReadersLost, tribunal.ReadersGained, tribunal.PrincipalsLost, want)
	}
	provider := "aws_iam_openid_connect_provider." + naming.SharedLogicalID(naming.AzureTenantProviderPart(fixtureAzure.TenantID))
	if !slices.ContainsFunc(s.Deleted, func(d ResourceChange) bool { return d.Address == provider }) {
		t.Errorf("the tenant's provider, deleted, is not among the deletions: %+v", s.Deleted)
	}
	if md := render(t, s); !strings.Contains(md, "- Federated readers lost:\n  - Azure principal `c4e6a8b0-2d4f-4618-9a3c-5e7f9b1d3f5a`") || strings.Contains(md, "new outside identity") {
		t.Errorf("the comment should name the reader lost, as no new identity:\n%s", md)
	}
	if refused := Gate(parseScenario(t, "remove_reader")); len(refused) != 0 {
		t.Errorf("Gate = %v; removing a reader holds no data", refused)
	}
}

// TestWidenedReaderTrustOnRealPlan: a reader role's trust widened in a real
// plan (its sub pin dropped, so any principal of the tenant with a token for
// the application could assume it) is refused by the gate, and the comment
// says so where the reviewer looks first and where the reader is listed.
func TestWidenedReaderTrustOnRealPlan(t *testing.T) {
	role := federation.RoleName("tribunal_outcomes", fixtureAzure)
	widened := editPlan(t, "add_reader", naming.DatasetLogicalID(naming.KindPull, "tribunal_outcomes", naming.FederatedReaderPart("tribunal_outcomes", fixtureAzure.Cloud(), fixtureAzure.Identity())),
		func(c map[string]any) {
			after := c["after"].(map[string]any)
			trust := after["assume_role_policy"].(string)
			sub := `,"` + federation.AzureSub(fixtureAzure.TenantID) + `":["` + fixtureAzure.ObjectID + `"]`
			if !strings.Contains(trust, sub) {
				t.Fatalf("the fixture's trust policy has no %s: %s", sub, trust)
			}
			after["assume_role_policy"] = strings.Replace(trust, sub, "", 1)
		})
	p, err := ParsePlan(widened)
	if err != nil {
		t.Fatal(err)
	}
	refused := Gate(p.Plan)
	if len(refused) != 1 || refused[0].Rule != ReaderTrustNotNarrow || refused[0].Name != role || !strings.Contains(refused[0].Reason, "has no "+federation.AzureSub(fixtureAzure.TenantID)+" condition") {
		t.Fatalf("Gate = %+v; want the widened reader role refused for its missing sub", refused)
	}
	md := render(t, Summarize(p, PaperworkLookup{}))
	assertSays(t, md, "The deploy will refuse this plan", "> - :no_entry: **reader trust not narrow.** **create** `aws_iam_role.", "federated reader role `"+role+"` is refused: `its trust policy has no ",
		":no_entry: **an identity the deploy refuses:** `its trust policy has no ")
}
