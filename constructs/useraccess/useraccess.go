// Package useraccess gives Analytical Platform users their access to the
// exports, as inline policies on their existing alpha_user_* roles: one
// policy for all the push prefixes a user may write to, and one per pull
// dataset bucket they may use.
//
// A user who has left the platform no longer has a role, and a policy on a
// missing role fails the whole plan. So one lookup lists which of the listed
// users' roles exist; a user's policies exist only when their role does
// (count 1 or 0), and a Terraform check per user warns, naming the user and
// the dataset files that list them, when it does not. Every other change
// still applies.
//
// Policy names cannot collide: the push policy has one fixed name and a pull
// policy carries its dataset's name, which is unique among pull datasets.
package useraccess

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsiamroles"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Config is who may use which dataset.
type Config struct {
	// ExportBucket is the name of the bucket push users write into.
	ExportBucket string
	// PushByUser lists each user role with the push datasets it may write,
	// as datasets.Set.PushByUser gives them.
	PushByUser []datasets.UserPush
	// Pull is every pull dataset.
	Pull []datasets.Pull
	// DatasetsDir is the directory of the dataset files in the repository
	// (naming.DatasetsDir): the warning about a departed user names the
	// files under it that list them.
	DatasetsDir string
}

// New creates every user's policies, each present only while the user's
// role exists, and a check per user that warns when it does not.
//
// Counting a policy moves it from address aws_iam_role_policy.<id> to
// aws_iam_role_policy.<id>[0]. Terraform makes that move by itself when a
// resource gains count (no moved block may name either address), so a
// deployed policy is kept, not destroyed and created again.
func New(scope constructs.Construct, id string, config Config) {
	scope = constructs.NewConstruct(scope, &id)
	files := config.listings()
	if len(files) == 0 {
		return
	}
	roles := slices.Sorted(maps.Keys(files))
	existing := dataawsiamroles.NewDataAwsIamRoles(scope, jsii.String("roles"), &dataawsiamroles.DataAwsIamRolesConfig{
		NameRegex: jsii.String(exactly(roles)),
	})
	existing.OverrideLogicalId(jsii.String(naming.SharedLogicalID(naming.PartUserRoles)))
	exists := func(role string) any { return cdktf.Fn_Contains(existing.Names(), jsii.String(role)) }
	// ifExists is 1 while the role exists, else 0: the count of each of the
	// role's policies.
	ifExists := func(role string) *float64 {
		return cdktf.Token_AsNumber(cdktf.Fn_Conditional(exists(role), jsii.Number(1), jsii.Number(0)))
	}

	stack := cdktf.TerraformStack_Of(scope)
	for _, role := range roles {
		// CDKTF has no check block: the override writes it as Terraform
		// JSON. A failed check assertion is a warning, never an error.
		stack.AddOverride(jsii.String("check."+naming.DepartedUserCheck(role)), map[string]any{
			"assert": []map[string]any{{
				"condition":     cdktf.Token_AsString(exists(role), nil),
				"error_message": naming.DepartedUserMessage(role, files[role]),
			}},
		})
	}

	for _, user := range config.PushByUser {
		policy := iamrolepolicy.NewIamRolePolicy(scope, jsii.String("push-"+user.Role), &iamrolepolicy.IamRolePolicyConfig{
			Count:  ifExists(user.Role),
			Name:   jsii.String(naming.UserPushPolicy),
			Role:   jsii.String(user.Role),
			Policy: jsii.String(PushPolicy(config.ExportBucket, user.Datasets).JSON()),
		})
		policy.OverrideLogicalId(jsii.String(naming.UserPushLogicalID(user.Role)))
	}

	for _, dataset := range config.Pull {
		for _, user := range dataset.Users {
			policy := iamrolepolicy.NewIamRolePolicy(scope, jsii.String("pull-"+dataset.Name+"-"+user), &iamrolepolicy.IamRolePolicyConfig{
				Count:  ifExists(user),
				Name:   jsii.String(naming.UserPullPolicy(dataset.Name)),
				Role:   jsii.String(user),
				Policy: jsii.String(PullPolicy(dataset).JSON()),
			})
			policy.OverrideLogicalId(jsii.String(naming.PullUserLogicalID(dataset.Name, user)))
		}
	}
}

// listings is every user role with the dataset files that list it, sorted.
func (config Config) listings() map[string][]string {
	files := map[string][]string{}
	for _, user := range config.PushByUser {
		for _, push := range user.Datasets {
			files[user.Role] = append(files[user.Role], naming.DatasetFile(config.DatasetsDir, datasets.KindPush, push.Name))
		}
	}
	for _, pull := range config.Pull {
		for _, role := range pull.Users {
			files[role] = append(files[role], naming.DatasetFile(config.DatasetsDir, datasets.KindPull, pull.Name))
		}
	}
	for _, list := range files {
		slices.Sort(list)
	}
	return files
}

// exactly is a regular expression that matches these names and no other:
// the lookup keeps only the listed users' roles, not every role of the
// platform, in the state and the plan.
func exactly(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = regexp.QuoteMeta(name)
	}
	return fmt.Sprintf("^(%s)$", strings.Join(quoted, "|"))
}

// PushPolicy lets a user write under the prefixes of the given push
// datasets, and list those prefixes only: one user cannot see another
// dataset's keys.
func PushPolicy(exportBucket string, pushes []datasets.Push) iampolicy.Document {
	objects := make([]string, len(pushes))
	prefixes := make([]string, len(pushes))
	for i, push := range pushes {
		objects[i] = iampolicy.ObjectsARN(exportBucket, push.Prefix())
		prefixes[i] = push.Prefix()
	}
	return iampolicy.New(
		iampolicy.Statement{
			Sid:      "WriteOwnPrefixes",
			Effect:   iampolicy.Allow,
			Action:   []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"},
			Resource: objects,
		},
		iampolicy.Statement{
			Sid:       "ListOwnPrefixes",
			Effect:    iampolicy.Allow,
			Action:    []string{"s3:ListBucket"},
			Resource:  []string{iampolicy.BucketARN(exportBucket)},
			Condition: iampolicy.PrefixCondition(prefixes...),
		},
	)
}

// PullPolicy lets a user read, write and delete objects in a pull
// dataset's bucket, and list it.
func PullPolicy(dataset datasets.Pull) iampolicy.Document {
	bucket := dataset.BucketName()
	return iampolicy.New(
		iampolicy.Statement{
			Sid:      "ReadWriteObjects",
			Effect:   iampolicy.Allow,
			Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: []string{iampolicy.ObjectsARN(bucket, "")},
		},
		iampolicy.Statement{
			Sid:      "ListBucket",
			Effect:   iampolicy.Allow,
			Action:   []string{"s3:ListBucket"},
			Resource: []string{iampolicy.BucketARN(bucket)},
		},
	)
}
