package useraccess_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/useraccess"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

func TestUserPolicies(t *testing.T) {
	alpha := datasets.Push{Name: "alpha", Bucket: "recipient-a", Users: []string{"alpha_user_one", "alpha_user_two"}}
	beta := datasets.Push{Name: "beta", Bucket: "recipient-b", Users: []string{"alpha_user_one"}}
	set := datasets.Set{
		Push: []datasets.Push{alpha, beta},
		Pull: []datasets.Pull{
			{Name: "gamma", PullARNs: []string{"arn:aws:iam::111122223333:role/r"}, Users: []string{"alpha_user_one", "alpha_user_three"}},
			{Name: "delta", PullARNs: []string{"arn:aws:iam::111122223333:role/r"}, Users: []string{"alpha_user_one"}},
		},
	}
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		useraccess.New(scope, "users", useraccess.Config{ExportBucket: "mojap-hub-exports", PushByUser: set.PushByUser(), Pull: set.Pull, DatasetsDir: "datasets"})
	})

	// One lookup of which listed users' roles exist, matching those roles
	// and no other.
	lookups := stack.DataSources("aws_iam_roles")
	if len(lookups) != 1 || lookups["shared-user_roles"] == nil {
		t.Fatalf("role lookups %v, want one, shared-user_roles", lookups)
	}
	if len(stack.DataSources("aws_iam_role")) != 0 {
		t.Error("a user's role is looked up on its own: a missing role would fail the plan")
	}
	nameRegex := regexp.MustCompile(lookups["shared-user_roles"]["name_regex"].(string))
	for _, role := range []string{"alpha_user_one", "alpha_user_two", "alpha_user_three"} {
		if !nameRegex.MatchString(role) {
			t.Errorf("the lookup %s misses %s", nameRegex, role)
		}
	}
	for _, other := range []string{"alpha_user_on", "alpha_user_one_more", "xalpha_user_one", "alpha_user_four"} {
		if nameRegex.MatchString(other) {
			t.Errorf("the lookup %s also lists %s", nameRegex, other)
		}
	}

	// Each policy exists only while its role does.
	for id, policy := range stack.Resources("aws_iam_role_policy") {
		role := policy["role"].(string)
		want := `${contains(tolist(data.aws_iam_roles.shared-user_roles.names), "` + role + `") ? 1 : 0}`
		if policy["count"] != want {
			t.Errorf("%s: count %v, want %s", id, policy["count"], want)
		}
	}

	// One check per user warns, naming the files that list them.
	checks := checkBlocks(t, stack)
	wantFiles := map[string][]string{
		"alpha_user_one":   {"datasets/pull/delta.yaml", "datasets/pull/gamma.yaml", "datasets/push/alpha.yaml", "datasets/push/beta.yaml"},
		"alpha_user_two":   {"datasets/push/alpha.yaml"},
		"alpha_user_three": {"datasets/pull/gamma.yaml"},
	}
	if len(checks) != len(wantFiles) {
		t.Errorf("%d checks, want one per user: %v", len(checks), checks)
	}
	for role, files := range wantFiles {
		asserts := checks[naming.DepartedUserCheck(role)].Assert
		if len(asserts) != 1 {
			t.Errorf("check of %s: %v", role, asserts)
			continue
		}
		wantCondition := `${contains(tolist(data.aws_iam_roles.shared-user_roles.names), "` + role + `")}`
		if asserts[0].Condition != wantCondition || asserts[0].ErrorMessage != naming.DepartedUserMessage(role, files) {
			t.Errorf("check of %s: %+v, want condition %s and the files %v", role, asserts[0], wantCondition, files)
		}
	}

	// One push policy per user, for all their prefixes.
	one := stack.Resource(t, "aws_iam_role_policy", "user-alpha_user_one")
	if one["name"] != "data-engineering-exports-push" || one["role"] != "alpha_user_one" {
		t.Errorf("push policy of alpha_user_one: %v", one)
	}
	pushPolicy := stack.Policy(t, "aws_iam_role_policy", "user-alpha_user_one", "policy")
	synthtest.AssertPolicy(t, "push policy", pushPolicy, iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{
			{Sid: "WriteOwnPrefixes", Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"},
				Resource: []string{"arn:aws:s3:::mojap-hub-exports/alpha/*", "arn:aws:s3:::mojap-hub-exports/beta/*"}},
			{Sid: "ListOwnPrefixes", Effect: "Allow", Action: []string{"s3:ListBucket"},
				Resource:  []string{"arn:aws:s3:::mojap-hub-exports"},
				Condition: iampolicy.Condition{"StringLike": {"s3:prefix": {"alpha/*", "beta/*"}}}},
		},
	})
	synthtest.AssertLeastPrivilege(t, "push policy", pushPolicy)
	two := stack.Policy(t, "aws_iam_role_policy", "user-alpha_user_two", "policy")
	if got := two.Statement[0].Resource; len(got) != 1 || got[0] != "arn:aws:s3:::mojap-hub-exports/alpha/*" {
		t.Errorf("alpha_user_two may write to %v, want only alpha/", got)
	}
	if _, ok := stack.Resources("aws_iam_role_policy")["user-alpha_user_three"]; ok {
		t.Error("alpha_user_three has a push policy but no push dataset")
	}

	// One pull policy per user and pull dataset.
	pullPolicy := stack.Policy(t, "aws_iam_role_policy", "pull-gamma-user-alpha_user_three", "policy")
	synthtest.AssertPolicy(t, "pull policy", pullPolicy, iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{
			{Sid: "ReadWriteObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
				Resource: []string{"arn:aws:s3:::mojap-gamma/*"}},
			{Sid: "ListBucket", Effect: "Allow", Action: []string{"s3:ListBucket"},
				Resource: []string{"arn:aws:s3:::mojap-gamma"}},
		},
	})
	synthtest.AssertLeastPrivilege(t, "pull policy", pullPolicy)

	// Names never collide on one role.
	names := map[string]map[string]bool{}
	for id, policy := range stack.Resources("aws_iam_role_policy") {
		role, name := policy["role"].(string), policy["name"].(string)
		if names[role] == nil {
			names[role] = map[string]bool{}
		}
		if names[role][name] {
			t.Errorf("two policies named %s on %s (%s)", name, role, id)
		}
		names[role][name] = true
	}
	if got := len(names["alpha_user_one"]); got != 3 {
		t.Errorf("alpha_user_one has %d policies, want 3 (push, pull gamma, pull delta)", got)
	}
	if n := stack.Count(); n != 5 {
		t.Errorf("%d policies, want 5 (2 push users, 3 pull user-datasets)", n)
	}
}

// TestNoUsers: without users there is nothing to look up and nothing to
// check.
func TestNoUsers(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		useraccess.New(scope, "users", useraccess.Config{ExportBucket: "mojap-hub-exports", DatasetsDir: "datasets"})
	})
	if lookups := stack.DataSources("aws_iam_roles"); len(lookups) != 0 {
		t.Errorf("role lookups without users: %v", lookups)
	}
	if checks := checkBlocks(t, stack); len(checks) != 0 {
		t.Errorf("checks without users: %v", checks)
	}
}

// checkBlock is a Terraform check block as the JSON syntax writes it.
type checkBlock struct {
	Assert []struct {
		Condition    string `json:"condition"`
		ErrorMessage string `json:"error_message"`
	} `json:"assert"`
}

// checkBlocks are the stack's check blocks by name.
func checkBlocks(t *testing.T, stack *synthtest.Stack) map[string]checkBlock {
	t.Helper()
	var tf struct {
		Check map[string]checkBlock `json:"check"`
	}
	if err := json.Unmarshal([]byte(*stack.JSON), &tf); err != nil {
		t.Fatal(err)
	}
	return tf.Check
}
