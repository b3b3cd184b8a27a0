// Package useraccess gives Analytical Platform users their access to the
// exports, as inline policies on their existing alpha_user_* roles: one
// policy for all the push prefixes a user may write to, and one per pull
// dataset bucket they may use. Each role is looked up first, so that a plan
// fails early, naming the role, when a user has left.
//
// Policy names cannot collide: the push policy has one fixed name and a pull
// policy carries its dataset's name, which is unique among pull datasets.
package useraccess

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsiamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"

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
}

// New creates every user's policies.
func New(scope constructs.Construct, id string, config Config) {
	scope = constructs.NewConstruct(scope, &id)
	roles := map[string]dataawsiamrole.DataAwsIamRole{}
	role := func(name string) dataawsiamrole.DataAwsIamRole {
		if r, ok := roles[name]; ok {
			return r
		}
		r := dataawsiamrole.NewDataAwsIamRole(scope, jsii.String("role-"+name), &dataawsiamrole.DataAwsIamRoleConfig{
			Name: jsii.String(name),
		})
		r.OverrideLogicalId(jsii.String(naming.UserPushLogicalID(name)))
		roles[name] = r
		return r
	}

	for _, user := range config.PushByUser {
		policy := iamrolepolicy.NewIamRolePolicy(scope, jsii.String("push-"+user.Role), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String(naming.UserPushPolicy),
			Role:   role(user.Role).Name(),
			Policy: jsii.String(PushPolicy(config.ExportBucket, user.Datasets).JSON()),
		})
		policy.OverrideLogicalId(jsii.String(naming.UserPushLogicalID(user.Role)))
	}

	for _, dataset := range config.Pull {
		for _, user := range dataset.Users {
			policy := iamrolepolicy.NewIamRolePolicy(scope, jsii.String("pull-"+dataset.Name+"-"+user), &iamrolepolicy.IamRolePolicyConfig{
				Name:   jsii.String(naming.UserPullPolicy(dataset.Name)),
				Role:   role(user).Name(),
				Policy: jsii.String(PullPolicy(dataset).JSON()),
			})
			policy.OverrideLogicalId(jsii.String(naming.PullUserLogicalID(dataset.Name, user)))
		}
	}
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
