package stacks_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
)

// checkDepartedUser runs on the stack TestApplyToMoto has applied (stackDir,
// its state as config's backend holds it). A user's role is deleted and
// another dataset gains a user; then the plan succeeds, warns naming the
// departed user and the files that list them, and plans only the other
// change; the plan summary lists the user under its own heading; the apply
// succeeds; the next plan has no changes and still warns.
//
// Two policies are first put back where the stack kept users' policies
// before it counted them, at addresses without [0]: Terraform must move
// them to [0] by itself, the departed user's and a staying user's, with
// nothing destroyed or created.
func checkDepartedUser(ctx context.Context, t *testing.T, config stacks.Config, env []string, iamClient *iam.Client, stackDir string) {
	set := config.Datasets
	const departed, joining, staying = "alpha_user_analyst_one", "alpha_user_analyst_two", "alpha_user_analyst_three"
	gaining := set.Pull[len(set.Pull)-1]
	if slices.Contains(gaining.Users, joining) || !slices.Contains(gaining.Users, staying) || !slices.Contains(users(set), departed) {
		t.Fatalf("the example datasets changed: %s lists %s or not %s, or nobody lists %s", gaining.File, joining, staying, departed)
	}
	departedPolicy := "aws_iam_role_policy." + naming.UserPushLogicalID(departed)
	stayingPolicy := "aws_iam_role_policy." + naming.PullUserLogicalID(gaining.Name, staying)
	for _, address := range []string{departedPolicy, stayingPolicy} {
		terraform(t, stackDir, env, 0, "state", "mv", "-no-color", address+"[0]", address)
	}

	// The user leaves: IAM deletes a role only once its inline policies are
	// gone.
	role := aws.String(departed)
	listed, err := iamClient.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range listed.PolicyNames {
		if _, err := iamClient.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := iamClient.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role}); err != nil {
		t.Fatal(err)
	}

	// Meanwhile another dataset gains a user.
	changed := config
	changed.Datasets.Pull = slices.Clone(set.Pull)
	changed.Datasets.Pull[len(set.Pull)-1].Users = append(slices.Clone(gaining.Users), joining)
	stackDir = filepath.Join(synth(t, changed), "stacks", stacks.ID)
	terraform(t, stackDir, env, 0, "init", "-input=false", "-no-color")
	plan := showPlan(t, stackDir, env, 2, "departed")
	var planned []string
	stayingMoved := false
	for _, rc := range plan.ResourceChanges {
		switch rc.PreviousAddress {
		case stayingPolicy:
			stayingMoved = rc.Address == stayingPolicy+"[0]"
		case departedPolicy:
			if !rc.Change.Actions.Delete() {
				t.Errorf("%s, whose role is gone, is planned to %v at %s", departedPolicy, rc.Change.Actions, rc.Address)
			}
		}
		if rc.Change.Actions.NoOp() || rc.Change.Actions.Read() {
			continue
		}
		if id, _ := naming.ParseLogicalID(rc.Name); rc.Change.Actions.Delete() && id.Role == departed {
			continue // the departed user's policies may go: their role has
		}
		planned = append(planned, strings.Join(actionNames(rc.Change.Actions), "+")+" "+rc.Address)
	}
	added := "create aws_iam_role_policy." + naming.PullUserLogicalID(gaining.Name, joining) + "[0]"
	if !slices.Equal(planned, []string{added}) {
		t.Errorf("planned %q, want only %q", planned, added)
	}
	if !stayingMoved {
		t.Errorf("%s is not moved to %s[0]", stayingPolicy, stayingPolicy)
	}
	files := []string{
		naming.DatasetFile(naming.DatasetsDir, datasets.KindPull, "probation_caseload"),
		naming.DatasetFile(naming.DatasetsDir, datasets.KindPush, "performance_hub_daily"),
	}
	warning := naming.DepartedUserMessage(departed, files)
	if !slices.ContainsFunc(plan.Checks, func(c tfjson.CheckResultStatic) bool {
		return c.Address.Name == naming.DepartedUserCheck(departed) && c.Status == tfjson.CheckStatusFail &&
			len(c.Instances) == 1 && len(c.Instances[0].Problems) == 1 && c.Instances[0].Problems[0].Message == warning
	}) {
		t.Errorf("the plan's checks do not warn %q: %+v", warning, plan.Checks)
	}
	var summary, gate strings.Builder
	code := cli.PlanSummary([]string{"--fail-on-data-risk", filepath.Join(stackDir, "departed.json")}, &summary, &gate)
	section := "### Users whose role no longer exists"
	if code != 0 || !strings.Contains(summary.String(), section) ||
		!strings.Contains(summary.String(), "- `"+departed+"`: `"+files[0]+"`, `"+files[1]+"`\n") {
		t.Errorf("plan-summary exited %d (%s); want 0 and %s listed with %v under %q:\n%s", code, gate.String(), departed, files, section, summary.String())
	}

	terraform(t, stackDir, env, 0, "apply", "-input=false", "-no-color", "departed.tfplan")
	if _, err := iamClient.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(joining), PolicyName: aws.String(naming.UserPullPolicy(gaining.Name))}); err != nil {
		t.Errorf("%s did not gain %s: %v", joining, gaining.Name, err)
	}
	again := terraform(t, stackDir, env, 0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	// Terraform wraps the message to fit a terminal.
	if unwrapped := strings.Join(strings.Fields(again), " "); !strings.Contains(unwrapped, "Warning: Check block assertion failed") || !strings.Contains(unwrapped, warning) {
		t.Errorf("the plan after apply does not warn about %s:\n%s", departed, again)
	}
}

// showPlan plans into <name>.tfplan, requiring plan -detailed-exitcode to
// exit want, writes `terraform show -json` of it to <name>.json and reads it.
func showPlan(t *testing.T, stackDir string, env []string, want int, name string) *tfjson.Plan {
	t.Helper()
	terraform(t, stackDir, env, want, "plan", "-detailed-exitcode", "-out="+name+".tfplan", "-input=false", "-no-color")
	data := terraform(t, stackDir, env, 0, "show", "-json", name+".tfplan")
	if err := os.WriteFile(filepath.Join(stackDir, name+".json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(data), &plan); err != nil {
		t.Fatal(err)
	}
	return &plan
}

func actionNames(actions tfjson.Actions) []string {
	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = string(a)
	}
	return names
}
