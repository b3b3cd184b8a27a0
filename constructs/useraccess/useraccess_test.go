package useraccess_test

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/useraccess"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
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
		useraccess.New(scope, "users", useraccess.Config{ExportBucket: "mojap-hub-exports", PushByUser: set.PushByUser(), Pull: set.Pull})
	})

	roles := stack.DataSources("aws_iam_role")
	for _, role := range []string{"alpha_user_one", "alpha_user_two", "alpha_user_three"} {
		if roles["user-"+role]["name"] != role {
			t.Errorf("role %s is not looked up: %v", role, roles)
		}
	}
	if len(roles) != 3 {
		t.Errorf("%d role lookups, want one per user (3)", len(roles))
	}

	// One push policy per user, for all their prefixes.
	one := stack.Resource(t, "aws_iam_role_policy", "user-alpha_user_one")
	if one["name"] != "data-engineering-exports-push" || one["role"] != "${data.aws_iam_role.user-alpha_user_one.name}" {
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
	if got := len(names["${data.aws_iam_role.user-alpha_user_one.name}"]); got != 3 {
		t.Errorf("alpha_user_one has %d policies, want 3 (push, pull gamma, pull delta)", got)
	}
	if n := stack.Count(); n != 5 {
		t.Errorf("%d policies, want 5 (2 push users, 3 pull user-datasets)", n)
	}
}
