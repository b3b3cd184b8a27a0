// Package handout is what the other side of an export needs from us: for a
// push dataset, the mover role's ARN and the complete bucket policy the
// recipient saves; for a pull dataset, the bucket, who may read it, and the
// policy each reader's own role needs. `exports recipient-policy` prints it
// for named datasets, and, after each deploy, for every dataset the deploy
// changed, for the job summary and a comment on the merged pull request.
//
// The recipient's grant is built from naming's action lists, the very ones
// the mover role's policy is built from, so the two cannot drift; a test
// checks both kinds against the synthesized stack as well.
package handout

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Handout is what one dataset's other side needs. Exactly one of Push and
// Pull is set.
type Handout struct {
	Kind naming.Kind `json:"kind"`
	Name string      `json:"name"`
	// Deploy is what the deploy did to the dataset, when the handout follows
	// one; nil for a handout asked for by name.
	Deploy *Deploy `json:"deploy,omitempty"`
	Push   *Push   `json:"push,omitempty"`
	Pull   *Pull   `json:"pull,omitempty"`
}

// Deploy is what a deploy did to a dataset.
type Deploy struct {
	// Status is added, adopted or changed (plansummary.Status).
	Status string `json:"status"`
	// OtherSideActs is true when the recipient or the readers must do
	// something: the dataset is new, or its recipient or readers changed.
	OtherSideActs bool `json:"other_side_acts"`
	// PreviousBucket is a push dataset's recipient bucket before the deploy
	// moved it to another, else "".
	PreviousBucket string `json:"previous_bucket,omitempty"`
}

// Push is a push dataset's handout: what the recipient saves.
type Push struct {
	Account      string `json:"account"`
	MoverRoleARN string `json:"mover_role_arn"`
	Bucket       string `json:"bucket"`
	// Prefix is where files arrive in Bucket: "<name>/".
	Prefix       string `json:"prefix"`
	BucketPolicy Policy `json:"bucket_policy"`
}

// Pull is a pull dataset's handout: where to read, and who may.
type Pull struct {
	Bucket string `json:"bucket"`
	// Readers are the roles of pull_arns, which may list the bucket and read
	// its objects, and write them with AllowPush.
	Readers   []string `json:"readers"`
	AllowPush bool     `json:"allow_push"`
	// ReaderPolicy is what each reader's role must allow on its own side:
	// access to another account's bucket needs both accounts' consent.
	ReaderPolicy Policy `json:"reader_policy"`
}

// Policy is an IAM policy document in the form AWS shows it back once saved:
// one principal and one resource per statement, each as a plain string.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Policy.
type Statement struct {
	Sid       string     `json:"Sid"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  string     `json:"Resource"`
}

// Principal is an AWS principal, by ARN.
type Principal struct {
	AWS string `json:"AWS"`
}

// sidPrefix starts the Sid of every statement we ask the other side to save,
// so that they can tell ours apart in their own policies.
const sidPrefix = "AnalyticalPlatform"

// sid is a statement id naming the dataset: sid("new_project", "Export",
// "") is "AnalyticalPlatformExportNewProject". Statement ids must be unique
// within a policy, and one bucket may receive two datasets or a role read
// two; IAM allows only letters and digits in them.
func sid(dataset, before, after string) string {
	var b strings.Builder
	b.WriteString(sidPrefix + before)
	capital := true
	for _, r := range dataset {
		if r == '_' {
			capital = true
			continue
		}
		if capital {
			r, capital = unicode.ToUpper(r), false
		}
		b.WriteRune(r)
	}
	return b.String() + after
}

// AccountProblem says what is wrong with an account id, or "".
func AccountProblem(account string) string {
	if !naming.IsAccountID(account) {
		return fmt.Sprintf("%q is not an AWS account id: give the 12 digits of the account the exports are deployed to", account)
	}
	return ""
}

// ForPush is the handout of a push dataset whose mover runs in account.
func ForPush(dataset datasets.Push, account string) Handout {
	role := naming.MoverRoleARN(account, dataset.Name)
	return Handout{Kind: naming.KindPush, Name: dataset.Name, Push: &Push{
		Account:      account,
		MoverRoleARN: role,
		Bucket:       dataset.Bucket,
		Prefix:       dataset.Prefix(),
		BucketPolicy: Policy{Version: iampolicy.Version, Statement: []Statement{{
			Sid:       sid(dataset.Name, "Export", ""),
			Effect:    iampolicy.Allow,
			Principal: &Principal{AWS: role},
			Action:    RecipientActions(),
			Resource:  iampolicy.ObjectsARN(dataset.Bucket, dataset.Prefix()),
		}}},
	}}
}

// RecipientActions are every action the mover role may use in its
// recipient's bucket, which the recipient's policy grants in one statement.
func RecipientActions() []string {
	return slices.Concat(naming.RecipientWriteActions(), naming.RecipientReadBackActions())
}

// ForPull is the handout of a pull dataset.
func ForPull(dataset datasets.Pull) Handout {
	bucket := dataset.BucketName()
	statement := func(part, action, resource string) Statement {
		return Statement{Sid: sid(dataset.Name, "", part), Effect: iampolicy.Allow, Action: []string{action}, Resource: resource}
	}
	// The same actions, on the same resources, as the bucket policy grants
	// the readers (pullexport.ReaderStatements).
	readerPolicy := Policy{Version: iampolicy.Version, Statement: []Statement{
		statement("List", "s3:ListBucket", iampolicy.BucketARN(bucket)),
		statement("Read", "s3:GetObject", iampolicy.ObjectsARN(bucket, "")),
	}}
	if dataset.AllowPush {
		readerPolicy.Statement = append(readerPolicy.Statement, statement("Write", "s3:PutObject", iampolicy.ObjectsARN(bucket, "")))
	}
	return Handout{Kind: naming.KindPull, Name: dataset.Name, Pull: &Pull{
		Bucket:       bucket,
		Readers:      slices.Clone(dataset.PullARNs),
		AllowPush:    dataset.AllowPush,
		ReaderPolicy: readerPolicy,
	}}
}

// actionPurposes says why the mover needs each action it may use in the
// recipient's bucket, for the recipient who reads the policy.
var actionPurposes = map[string]string{
	"s3:PutObject":            "the copy itself, in one request or, for large files, in parts.",
	"s3:PutObjectAcl":         "each copy is written with the canned ACL `bucket-owner-full-control`, so that the bucket's owner owns it; this works whether or not the bucket has ACLs disabled.",
	"s3:AbortMultipartUpload": "when a large copy fails half-way, the mover removes the parts it wrote, so that none linger (and cost) in the bucket.",
	"s3:GetObject":            "the mover reads each copy back to check it before it deletes the original on our side, and recognises a file it has already delivered. Recommended rather than required: without it (delete it from the list) delivery works, the check rests on S3's answers to the copy, and a repeated delivery is reported to us as a failure.",
}
