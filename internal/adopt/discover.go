// Package adopt finds, in an AWS account, the resources that the exports
// stack would manage and that exist already (the earlier tool's, mostly),
// and writes the imports file that turns them into Terraform import blocks:
// the reviewed deploy then adopts them instead of trying to create them,
// and updates them in place. A bucket that holds data, or a mover role that
// recipients' bucket policies name, is never created again.
//
// It also finds what the switch changes that a reviewer must know (the
// earlier tool's grants, which the deploy removes), what exists that the
// stack will not manage (for a person to retire), and what a person must do
// before the switch (a recipient who must grant another role, a
// notification entry for a dataset that is not migrated). It only reads.
package adopt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Clients are the AWS APIs adopt reads.
type Clients struct {
	S3     *s3.Client
	IAM    *iam.Client
	Lambda *lambda.Client
	Logs   *cloudwatchlogs.Client
}

// NewClients makes the clients from one configuration; with an endpoint
// (AWS_ENDPOINT_URL, an emulator) S3 is addressed path-style.
func NewClients(config aws.Config) Clients {
	return Clients{
		S3:     s3.NewFromConfig(config, func(o *s3.Options) { o.UsePathStyle = config.BaseEndpoint != nil }),
		IAM:    iam.NewFromConfig(config),
		Lambda: lambda.NewFromConfig(config),
		Logs:   cloudwatchlogs.NewFromConfig(config),
	}
}

// Findings is what Discover found.
type Findings struct {
	// Imports adopt every resource of the stack that exists.
	Imports []Entry
	// Changes are what the switch does to what exists, for the reviewer:
	// the earlier tool's grants it removes or replaces.
	Changes []string
	// Unmanaged exists but the stack will not manage it: a person retires
	// it once the switch is done.
	Unmanaged []string
	// BeforeSwitch must be done by a person before the switch is merged.
	BeforeSwitch []string
}

// Discover finds what exists of the stack that set synthesizes. Each
// finding is Markdown. It fails only when AWS fails to answer (access
// denied, say): a missing resource is simply not imported.
func Discover(ctx context.Context, clients Clients, set datasets.Set) (*Findings, error) {
	d := &discovery{ctx: ctx, c: clients, set: set, users: usersOf(set), f: &Findings{}}
	steps := []func() error{d.buckets, d.pushDatasets, d.notification, d.userRoles}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(d.f.Imports, func(a, b Entry) int { return strings.Compare(a.To, b.To) })
	stackHas := Addresses(set)
	for _, e := range d.f.Imports {
		if _, found := slices.BinarySearch(stackHas, e.To); !found {
			return nil, fmt.Errorf("adopt: internal error: %s is not an address of the stack", e.To)
		}
	}
	return d.f, nil
}

type discovery struct {
	ctx   context.Context
	c     Clients
	set   datasets.Set
	users users
	f     *Findings
	// functionRoles holds, for each function read, the ARN of its role.
	functionRoles map[string]string
}

func (d *discovery) adopt(to, id, found string) {
	d.f.Imports = append(d.f.Imports, Entry{To: to, ID: id, Found: found})
}

func (d *discovery) change(format string, args ...any) {
	d.f.Changes = append(d.f.Changes, fmt.Sprintf(format, args...))
}

func (d *discovery) unmanaged(format string, args ...any) {
	d.f.Unmanaged = append(d.f.Unmanaged, fmt.Sprintf(format, args...))
}

func (d *discovery) beforeSwitch(format string, args ...any) {
	d.f.BeforeSwitch = append(d.f.BeforeSwitch, fmt.Sprintf(format, args...))
}

// code quotes a name as a Markdown code span.
func code(s string) string { return "`" + s + "`" }

// apiErrorCode is the error code of an AWS error, "" for any other error.
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// notFound is true when err says the object asked for does not exist.
func notFound(err error, codes ...string) bool {
	return err != nil && slices.Contains(codes, apiErrorCode(err))
}

// ---------------------------------------------------------------- buckets

func (d *discovery) buckets() error {
	owned := map[string]bool{}
	pages := s3.NewListBucketsPaginator(d.c.S3, &s3.ListBucketsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(d.ctx)
		if err != nil {
			return fmt.Errorf("list the account's buckets: %w", err)
		}
		for _, b := range page.Buckets {
			owned[aws.ToString(b.Name)] = true
		}
	}
	buckets := []bucket{exportBucket()}
	for _, pull := range d.set.Pull {
		buckets = append(buckets, pullBucket(pull))
	}
	for _, b := range buckets {
		if owned[b.name] {
			if err := d.bucket(b); err != nil {
				return err
			}
			continue
		}
		// Bucket names are global: one this account does not own may be
		// another's, and then the stack cannot create it.
		_, err := d.c.S3.HeadBucket(d.ctx, &s3.HeadBucketInput{Bucket: aws.String(b.name)})
		var response *awshttp.ResponseError
		switch {
		case errors.As(err, &response) && response.HTTPStatusCode() == 404:
		case errors.As(err, &response) || err == nil:
			d.beforeSwitch("Bucket %s exists, but not in this account (or this account cannot see it): the stack cannot create it, and the deploy would fail. "+
				"Find out whose it is; if it is ours in another account, that account's stack must adopt it instead.", code(b.name))
		default:
			return fmt.Errorf("look for bucket %s: %w", b.name, err)
		}
	}
	return nil
}

// bucket imports an existing bucket of ours and each of its settings that
// exists.
func (d *discovery) bucket(b bucket) error {
	ctx, name := d.ctx, aws.String(b.name)
	d.adopt(address(typeBucket, b.logicalID(naming.PartBucket)), b.name, "bucket "+b.name)
	versioning, err := d.c.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: name})
	if err != nil {
		return fmt.Errorf("read the versioning of bucket %s: %w", b.name, err)
	}
	if !b.versioning && versioning.Status == s3types.BucketVersioningStatusEnabled {
		d.unmanaged("Bucket %s is versioned, and its dataset does not set %s: the stack leaves versioning as it is (on). "+
			"Set `bucket_versioning: true` to manage it, or suspend it by hand.", code(b.name), code("bucket_versioning"))
	}
	for _, s := range b.settings() {
		exists, described, err := d.bucketSetting(s.resourceType, b.name, versioning)
		if err != nil {
			return fmt.Errorf("read bucket %s: %w", b.name, err)
		}
		if exists {
			d.adopt(address(s.resourceType, b.logicalID(s.part)), b.name, described)
		}
	}
	return nil
}

// bucketSetting says whether one setting of a bucket exists, and what it is.
func (d *discovery) bucketSetting(resourceType, bucketName string, versioning *s3.GetBucketVersioningOutput) (exists bool, described string, err error) {
	ctx, name := d.ctx, aws.String(bucketName)
	switch resourceType {
	case typeBucketVersioning:
		return versioning.Status != "", fmt.Sprintf("versioning of bucket %s: %s", bucketName, versioning.Status), nil
	case typeBucketPolicy:
		out, err := d.c.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name})
		if notFound(err, "NoSuchBucketPolicy") {
			return false, "", nil
		}
		if err != nil {
			return false, "", err
		}
		var doc struct{ Statement []json.RawMessage }
		_ = json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc) // a count for the comment only
		return true, fmt.Sprintf("policy of bucket %s: %d statements", bucketName, len(doc.Statement)), nil
	case typeBucketPublicAccessBlock:
		_, err := d.c.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name})
		if notFound(err, "NoSuchPublicAccessBlockConfiguration") {
			return false, "", nil
		}
		return err == nil, "public access block of bucket " + bucketName, err
	case typeBucketEncryption:
		_, err := d.c.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: name})
		if notFound(err, "ServerSideEncryptionConfigurationNotFoundError") {
			return false, "", nil
		}
		return err == nil, "default encryption of bucket " + bucketName, err
	case typeBucketOwnership:
		_, err := d.c.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: name})
		if notFound(err, "OwnershipControlsNotFoundError") {
			return false, "", nil
		}
		return err == nil, "ownership controls of bucket " + bucketName, err
	}
	return false, "", fmt.Errorf("adopt: internal error: no lookup for %s", resourceType)
}

// ---------------------------------------------------------------- movers

func (d *discovery) pushDatasets() error {
	d.functionRoles = map[string]string{}
	for _, push := range d.set.Push {
		for _, step := range []func(datasets.Push) error{d.moverRole, d.moverFunction, d.moverLogGroup} {
			if err := step(push); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *discovery) moverRole(push datasets.Push) error {
	name := push.MoverName()
	out, err := d.c.IAM.GetRole(d.ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if notFound(err, "NoSuchEntity") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read role %s: %w", name, err)
	}
	role := out.Role
	d.adopt(pushAddress(typeRole, push, naming.PartMoverRole), name, fmt.Sprintf("role %s%s", aws.ToString(role.Path), name))
	if path := aws.ToString(role.Path); path != naming.MoverRolePath {
		d.beforeSwitch("Role %s is at the path %s, and the stack's mover role is at %s: the path cannot change, so the plan would replace the role, "+
			"which the deploy refuses (recipients' bucket policies are bound to the role's unique id). Decide with the recipient of %s how to move to %s.",
			code(name), code(path), code(naming.MoverRolePath), code(push.Name), code(moverRoleARN(aws.ToString(role.Arn), name)))
	}
	policies, err := d.c.IAM.ListRolePolicies(d.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("list the policies of role %s: %w", name, err)
	}
	for _, policy := range policies.PolicyNames {
		if policy == naming.MoverRolePolicy {
			d.adopt(pushAddress(typeRolePolicy, push, naming.PartMoverRolePolicy), name+":"+policy, fmt.Sprintf("inline policy %s on role %s", policy, name))
			continue
		}
		d.change("Inline policy %s on the mover role %s is deleted: the role keeps only the stack's policy %s.", code(policy), code(name), code(naming.MoverRolePolicy))
	}
	attached, err := d.c.IAM.ListAttachedRolePolicies(d.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("list the managed policies of role %s: %w", name, err)
	}
	for _, policy := range attached.AttachedPolicies {
		d.change("Managed policy %s is detached from the mover role %s.", code(aws.ToString(policy.PolicyArn)), code(name))
	}
	return nil
}

// moverRoleARN is the ARN of the stack's mover role name, in the account of
// arn (any ARN in that account).
func moverRoleARN(arn, name string) string {
	parts := strings.SplitN(arn, ":", 6)
	account := "<account>"
	if len(parts) == 6 && parts[4] != "" {
		account = parts[4]
	}
	return "arn:aws:iam::" + account + ":role" + naming.MoverRolePath + name
}

func (d *discovery) moverFunction(push datasets.Push) error {
	name := push.MoverName()
	out, err := d.c.Lambda.GetFunctionConfiguration(d.ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if notFound(err, "ResourceNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read function %s: %w", name, err)
	}
	d.functionRoles[name] = aws.ToString(out.Role)
	d.adopt(pushAddress(typeFunction, push, naming.PartMoverFunction), name, fmt.Sprintf("function %s (%s, role %s)", name, out.Runtime, aws.ToString(out.Role)))
	if err := d.moverPermission(push); err != nil {
		return err
	}
	_, err = d.c.Lambda.GetFunctionEventInvokeConfig(d.ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	switch {
	case err == nil:
		d.adopt(pushAddress(typeInvokeConfig, push, naming.PartMoverInvokeConfig), name, "event invoke configuration of function "+name)
	case !notFound(err, "ResourceNotFoundException"):
		return fmt.Errorf("read the event invoke configuration of function %s: %w", name, err)
	}
	return nil
}

// statement is a statement of a Lambda function's resource policy.
type statement struct {
	Sid       string
	Principal json.RawMessage
	Action    json.RawMessage
	Condition map[string]map[string]json.RawMessage
}

// invokedByS3 is true for a statement that lets S3 invoke the function.
func (s statement) invokedByS3() bool {
	var principal struct{ Service json.RawMessage }
	return json.Unmarshal(s.Principal, &principal) == nil && slices.Contains(stringOrList(principal.Service), "s3.amazonaws.com") &&
		slices.Contains(stringOrList(s.Action), "lambda:InvokeFunction")
}

// stringOrList reads a policy value that is a string or a list of them.
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list) // anything else holds no string
	return list
}

// moverPermission imports the permission that lets S3 start the mover: the
// stack's own statement if it is there, else the earlier tool's (its
// statement id carries a generated suffix), which the deploy then replaces
// with the stack's, removing the old grant.
func (d *discovery) moverPermission(push datasets.Push) error {
	name := push.MoverName()
	out, err := d.c.Lambda.GetPolicy(d.ctx, &lambda.GetPolicyInput{FunctionName: aws.String(name)})
	if notFound(err, "ResourceNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the resource policy of function %s: %w", name, err)
	}
	var policy struct{ Statement []statement }
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &policy); err != nil {
		return fmt.Errorf("read the resource policy of function %s: %w", name, err)
	}
	statements := policy.Statement
	slices.SortFunc(statements, func(a, b statement) int {
		// The stack's own statement first, then S3's, each by id.
		rank := func(s statement) int {
			switch {
			case s.Sid == naming.MoverPermissionStatementID:
				return 0
			case s.invokedByS3():
				return 1
			}
			return 2
		}
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		return strings.Compare(a.Sid, b.Sid)
	})
	for i, s := range statements {
		remove := fmt.Sprintf("`aws lambda remove-permission --function-name %s --statement-id %s`", name, s.Sid)
		switch {
		case i == 0 && (s.Sid == naming.MoverPermissionStatementID || s.invokedByS3()):
			d.adopt(pushAddress(typePermission, push, naming.PartMoverPermission), name+"/"+s.Sid, fmt.Sprintf("permission %s of function %s", s.Sid, name))
			if s.Sid != naming.MoverPermissionStatementID {
				d.change("The permission %s that lets S3 start %s is replaced by the stack's %s, which S3 may use only for %s in this account.",
					code(s.Sid), code(name), code(naming.MoverPermissionStatementID), code(naming.ExportBucket))
			}
		case s.invokedByS3():
			d.unmanaged("Function %s also lets S3 start it by the statement %s, which the stack does not manage: after the switch, remove it with %s.", code(name), code(s.Sid), remove)
		default:
			d.unmanaged("Function %s lets another principal start it (statement %s, principal %s), which the stack does not manage: after the switch, remove it with %s if nothing needs it.",
				code(name), code(s.Sid), code(string(s.Principal)), remove)
		}
	}
	return nil
}

func (d *discovery) moverLogGroup(push datasets.Push) error {
	name := naming.MoverLogGroup(push.Name)
	out, err := d.c.Logs.DescribeLogGroups(d.ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		return fmt.Errorf("look for log group %s: %w", name, err)
	}
	for _, group := range out.LogGroups {
		if aws.ToString(group.LogGroupName) != name {
			continue
		}
		retention := "kept forever"
		if days := aws.ToInt32(group.RetentionInDays); days > 0 {
			retention = fmt.Sprintf("kept %d days", days)
		}
		d.adopt(pushAddress(typeLogGroup, push, naming.PartMoverLogGroup), name, fmt.Sprintf("log group %s (%s)", name, retention))
	}
	return nil
}

// ---------------------------------------------------------------- notification

// notification reads the export bucket's notification configuration: the
// stack rewrites it whole, one entry per push dataset, so each entry it
// does not keep is a delivery that stops or moves to another function.
func (d *discovery) notification() error {
	if !slices.ContainsFunc(d.f.Imports, func(e Entry) bool { return e.To == address(typeBucket, exportBucket().logicalID(naming.PartBucket)) }) {
		return nil
	}
	out, err := d.c.S3.GetBucketNotificationConfiguration(d.ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(naming.ExportBucket)})
	if err != nil {
		return fmt.Errorf("read the notification configuration of bucket %s: %w", naming.ExportBucket, err)
	}
	entries := len(out.LambdaFunctionConfigurations) + len(out.QueueConfigurations) + len(out.TopicConfigurations)
	if out.EventBridgeConfiguration != nil {
		entries++
	}
	if entries == 0 {
		return nil
	}
	if len(d.set.Push) == 0 {
		d.unmanaged("The notification configuration of %s has %d entries, and there is no push dataset: the stack does not manage it, "+
			"and it keeps starting what it names. Remove it once those deliveries have moved.", code(naming.ExportBucket), entries)
		return nil
	}
	d.adopt(address(typeBucketNotification, naming.SharedLogicalID(naming.PartNotification)), naming.ExportBucket,
		fmt.Sprintf("notification configuration of bucket %s: %d entries", naming.ExportBucket, entries))
	d.change("The notification configuration of %s (%d entries) is replaced by the stack's: one entry per push dataset, each starting its own mover %s.",
		code(naming.ExportBucket), entries, code("export_<name>-move"))
	for _, entry := range out.LambdaFunctionConfigurations {
		if err := d.notificationEntry(entry); err != nil {
			return err
		}
	}
	for _, q := range out.QueueConfigurations {
		d.beforeSwitch("The notification of %s sends events to the queue %s (entry %s): the switch removes that entry. Make sure nothing depends on it.",
			code(naming.ExportBucket), code(aws.ToString(q.QueueArn)), code(aws.ToString(q.Id)))
	}
	for _, topic := range out.TopicConfigurations {
		d.beforeSwitch("The notification of %s sends events to the topic %s (entry %s): the switch removes that entry. Make sure nothing depends on it.",
			code(naming.ExportBucket), code(aws.ToString(topic.TopicArn)), code(aws.ToString(topic.Id)))
	}
	if out.EventBridgeConfiguration != nil {
		d.beforeSwitch("The notification of %s sends events to EventBridge: the switch turns that off. Make sure nothing depends on it.", code(naming.ExportBucket))
	}
	return nil
}

// notificationEntry checks one Lambda entry of the export bucket's
// notification against the push datasets.
func (d *discovery) notificationEntry(entry s3types.LambdaFunctionConfiguration) error {
	functionARN := aws.ToString(entry.LambdaFunctionArn)
	function := functionName(functionARN)
	prefix := filterPrefix(entry)
	i := slices.IndexFunc(d.set.Push, func(p datasets.Push) bool { return p.Prefix() == prefix })
	if i < 0 {
		d.beforeSwitch("The notification of %s starts %s for objects under %s (entry %s), and no push dataset of ours has that prefix: "+
			"the switch removes the entry, and those objects stop being delivered. Migrate that dataset first (it stays with the earlier tool until then), "+
			"or agree with its users and recipient that its deliveries end.",
			code(naming.ExportBucket), code(function), code(prefix+"*"), code(aws.ToString(entry.Id)))
		return nil
	}
	push := d.set.Push[i]
	if function == push.MoverName() {
		return d.deliveringRole(push, function)
	}
	d.unmanaged("Function %s delivers %s today (the notification starts it for %s): after the switch the stack's %s does, and nothing starts %s. "+
		"Retire it, with its role and its log group, once the switch is done.",
		code(function), code(push.Name), code(prefix+"*"), code(push.MoverName()), code(function))
	return d.deliveringRole(push, function)
}

// deliveringRole warns when the role that delivers a push dataset today is
// not the stack's mover role: the recipient's bucket policy names that
// role, and must name the stack's before the switch.
func (d *discovery) deliveringRole(push datasets.Push, function string) error {
	roleARN, known := d.functionRoles[function]
	if !known {
		out, err := d.c.Lambda.GetFunctionConfiguration(d.ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
		if notFound(err, "ResourceNotFoundException") {
			d.unmanaged("The notification of %s starts %s, which does not exist: nothing delivers %s today.", code(naming.ExportBucket), code(function), code(push.Name))
			return nil
		}
		if err != nil {
			return fmt.Errorf("read function %s: %w", function, err)
		}
		roleARN = aws.ToString(out.Role)
	}
	ours := moverRoleARN(roleARN, push.MoverName())
	if roleARN == ours {
		return nil
	}
	d.beforeSwitch("**The recipient of %s must grant a new role first.** Today %s delivers as the role %s, which the bucket policy of %s names. "+
		"After the switch the mover runs as %s, a role that policy does not name: ask the recipient to add it (s3:PutObject and s3:PutObjectAcl on %s) "+
		"before this pull request merges, or every delivery is refused. Retire %s once the switch is done.",
		code(push.Name), code(function), code(roleARN), code(push.Bucket), code(ours), code(push.Bucket+"/"+push.Prefix()+"*"), code(roleARN))
	return nil
}

// functionName is the function's name in a function ARN (or a name), without
// a version or alias.
func functionName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[5] == "function" {
		return parts[6]
	}
	return arn
}

// filterPrefix is the key prefix an entry filters on, "" for none.
func filterPrefix(entry s3types.LambdaFunctionConfiguration) string {
	if entry.Filter == nil || entry.Filter.Key == nil {
		return ""
	}
	for _, rule := range entry.Filter.Key.FilterRules {
		if strings.EqualFold(string(rule.Name), "prefix") {
			return aws.ToString(rule.Value)
		}
	}
	return ""
}

// ---------------------------------------------------------------- users

// userRoles reads the inline policies of every Analytical Platform user's
// role: each of the earlier tool's (or our own) policies is imported into
// the stack's policy for that user and dataset, which replaces it; one the
// stack has no policy for is left for a person to remove.
func (d *discovery) userRoles() error {
	existing := map[string]string{} // lower case -> as IAM writes it
	pages := iam.NewListRolesPaginator(d.c.IAM, &iam.ListRolesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(d.ctx)
		if err != nil {
			return fmt.Errorf("list the account's roles: %w", err)
		}
		for _, role := range page.Roles {
			name := aws.ToString(role.RoleName)
			if strings.HasPrefix(strings.ToLower(name), naming.UserRolePrefix) {
				existing[strings.ToLower(name)] = name
			}
		}
	}
	for _, role := range d.users.roles() {
		if _, ok := existing[role]; !ok {
			d.beforeSwitch("The role %s of a user in the dataset files does not exist: the plan fails on its lookup. Remove the user from the dataset files, or find their role.", code(role))
		}
	}
	for _, role := range slices.Sorted(maps.Keys(existing)) {
		if err := d.userRole(role, existing[role]); err != nil {
			return err
		}
	}
	return nil
}

// userRole handles the policies on one user's role; role is its name in
// lower case, iamName as IAM writes it (which import ids use, so that they
// match what the stack's role lookup reads).
func (d *discovery) userRole(role, iamName string) error {
	out, err := d.c.IAM.ListRolePolicies(d.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(iamName)})
	if err != nil {
		return fmt.Errorf("list the policies of role %s: %w", iamName, err)
	}
	// The stack's own policies first, so that an earlier one beside the
	// stack's is left over rather than imported.
	names := slices.Clone(out.PolicyNames)
	isOurs := func(policy string) bool {
		return policy == naming.UserPushPolicy || strings.HasPrefix(policy, naming.UserPullPolicy(""))
	}
	slices.SortFunc(names, func(a, b string) int {
		if isOurs(a) != isOurs(b) {
			if isOurs(a) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	taken := map[string]string{} // address -> policy imported into it
	for _, policy := range names {
		to, isPush, dataset, known := d.userPolicyAddress(role, policy)
		if !known {
			continue // another tool's policy
		}
		deleteIt := fmt.Sprintf("`aws iam delete-role-policy --role-name %s --policy-name %s`", iamName, policy)
		switch {
		case to == "":
			what := "push datasets"
			if !isPush {
				what = "the pull dataset " + code(dataset)
			}
			d.unmanaged("Inline policy %s on %s grants access to %s, and no dataset of ours gives %s that access: the stack does not manage or remove it. "+
				"If its dataset has moved here, remove it after the switch with %s; if the dataset stays with the earlier tool, leave it.",
				code(policy), code(iamName), what, code(iamName), deleteIt)
		case taken[to] != "":
			d.unmanaged("Inline policy %s on %s grants what %s grants too, and the stack adopts only one: after the switch, remove it with %s.",
				code(policy), code(iamName), code(taken[to]), deleteIt)
		default:
			taken[to] = policy
			d.adopt(to, iamName+":"+policy, fmt.Sprintf("inline policy %s on role %s", policy, iamName))
			if ours := ourUserPolicy(isPush, dataset); policy != ours {
				d.change("Inline policy %s on %s is replaced by %s.", code(policy), code(iamName), code(ours))
			}
			if isPush && policy != naming.UserPushPolicy {
				if err := d.lostPushAccess(role, iamName, policy); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func ourUserPolicy(isPush bool, dataset string) string {
	if isPush {
		return naming.UserPushPolicy
	}
	return naming.UserPullPolicy(dataset)
}

// userPolicyAddress says which of the stack's user policies a policy on a
// user's role (role in lower case) is, or was under the earlier tool: to is
// its address, "" when the stack has no such policy for the user; known is
// false for a policy neither tool writes.
func (d *discovery) userPolicyAddress(role, policy string) (to string, isPush bool, dataset string, known bool) {
	if policy == naming.UserPushPolicy || policy == naming.EarlierUserPushPolicy {
		if _, ok := d.users.push[role]; ok {
			to = address(typeRolePolicy, naming.UserPushLogicalID(role))
		}
		return to, true, "", true
	}
	dataset, earlier := naming.ParseEarlierUserPullPolicy(policy)
	if !earlier {
		var ours bool
		if dataset, ours = strings.CutPrefix(policy, naming.UserPullPolicy("")); !ours {
			return "", false, "", false
		}
	}
	if d.users.pull[role][dataset] {
		to = address(typeRolePolicy, naming.PullUserLogicalID(dataset, role))
	}
	return to, false, dataset, true
}

// lostPushAccess warns when the earlier tool's push policy on a user's role
// lets them write under prefixes that no push dataset of ours gives them:
// the switch replaces the policy, and that access ends.
func (d *discovery) lostPushAccess(role, iamName, policy string) error {
	out, err := d.c.IAM.GetRolePolicy(d.ctx, &iam.GetRolePolicyInput{RoleName: aws.String(iamName), PolicyName: aws.String(policy)})
	if err != nil {
		return fmt.Errorf("read policy %s on role %s: %w", policy, iamName, err)
	}
	text, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		return fmt.Errorf("read policy %s on role %s: %w", policy, iamName, err)
	}
	var doc struct {
		Statement []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return fmt.Errorf("read policy %s on role %s: %w", policy, iamName, err)
	}
	granted := map[string]bool{}
	for _, push := range d.users.push[role] {
		granted[push.Prefix()] = true
	}
	lost := map[string]bool{}
	objects := "arn:aws:s3:::" + naming.ExportBucket + "/"
	for _, s := range doc.Statement {
		for _, resource := range stringOrList(s.Resource) {
			key, ok := strings.CutPrefix(resource, objects)
			if dataset, _, nested := strings.Cut(key, "/"); ok && nested && !granted[naming.ExportPrefix(dataset)] {
				lost[naming.ExportPrefix(dataset)] = true
			}
		}
	}
	for _, prefix := range slices.Sorted(maps.Keys(lost)) {
		d.beforeSwitch("%s may write under %s today (policy %s), and no push dataset of ours lists them for it: the switch replaces that policy, and this access ends. "+
			"Migrate that dataset in this pull request, or agree with the user that this access ends.",
			code(iamName), code(naming.ExportBucket+"/"+prefix), code(policy))
	}
	return nil
}
