package stacks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cloudwatchtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ministryofjustice/data-engineering-exports/constructs/accesslogbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/exportbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/federatedreader"
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pullexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/useraccess"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

// TestApplyToMoto deploys the example datasets to moto with Terraform, checks
// through the AWS SDK that what exists is what the constructs meant, then
// plans again and requires no changes.
func TestApplyToMoto(t *testing.T) {
	started := time.Now()
	ctx := context.Background()
	moto := motoserver.StartT(t)
	env := terraformEnv(t, moto)
	cfg := moto.AWSConfig()
	iamClient := iam.NewFromConfig(cfg)

	config := exampleConfig(t)
	set := config.Datasets
	// The users' roles exist in the real account; the emulator needs them.
	if err := moto.CreateRoles(ctx, users(set)...); err != nil {
		t.Fatal(err)
	}

	config.Endpoint = moto.Endpoint
	config.Backend = stacks.Backend{LocalPath: filepath.Join(t.TempDir(), "exports.tfstate")}
	phase := time.Now()
	lap := func(name string) {
		t.Logf("%-6s %s", name, time.Since(phase).Round(100*time.Millisecond))
		phase = time.Now()
	}
	lap("setup")
	stackDir := filepath.Join(synth(t, config), "stacks", stacks.ID)
	lap("synth")
	terraform(t, stackDir, env, 0, "init", "-input=false", "-no-color")
	lap("init")
	terraform(t, stackDir, env, 0, "plan", "-out=initial.tfplan", "-input=false", "-no-color")
	checkPlanSummaryFlags(t, set, terraform(t, stackDir, env, 0, "show", "-json", "initial.tfplan"))
	terraform(t, stackDir, env, 0, "apply", "-input=false", "-no-color", "initial.tfplan")
	lap("apply")

	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	checkMovers(ctx, t, set, iamClient, lambda.NewFromConfig(cfg))
	checkUsers(ctx, t, set, iamClient)
	checkNotification(ctx, t, set, s3Client)
	checkBuckets(ctx, t, set, s3Client)
	checkFederatedReaders(ctx, t, set, iamClient, s3Client)
	checkAccessLogsArrive(ctx, t, set, s3Client)
	checkFailedMovesQueue(ctx, t, sqs.NewFromConfig(cfg))
	checkFailedMovesAlarm(ctx, t, cloudwatch.NewFromConfig(cfg))
	lap("checks")

	terraform(t, stackDir, env, 0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	lap("plan")

	checkDepartedUser(ctx, t, config, env, iamClient, stackDir)
	lap("departed")

	checkRemovingADatasetKeepsItsData(ctx, t, config, env, s3Client)
	lap("remove")
	t.Logf("whole test %s", time.Since(started).Round(time.Second))
}

// checkPlanSummaryFlags: the summary of the plan that creates the stack
// shows each pull dataset's flags as its bucket will have them. An
// allow_push bucket is versioned whatever bucket_versioning says, and the
// summary says so (bucket_versioning → true): it reads the bucket's
// resources, not the file, so what a reviewer reads is what the bucket does.
func checkPlanSummaryFlags(t *testing.T, set datasets.Set, planJSON string) {
	t.Helper()
	plan, err := plansummary.ParsePlan([]byte(planJSON))
	if err != nil {
		t.Fatal(err)
	}
	summary := plansummary.Summarize(plan, plansummary.PaperworkLookup{Dir: t.TempDir()})
	for _, pull := range set.Pull {
		var want []plansummary.FlagChange
		if pull.AllowPush {
			want = append(want, plansummary.FlagChange{Name: "allow_push", After: true})
		}
		if pullexport.Versioning(pull).Enabled {
			want = append(want, plansummary.FlagChange{Name: "bucket_versioning", After: true})
		}
		i := slices.IndexFunc(summary.Datasets, func(d plansummary.DatasetChange) bool {
			return d.Kind == datasets.KindPull && d.Name == pull.Name
		})
		if i < 0 {
			t.Errorf("the plan summary does not show pull dataset %s", pull.Name)
			continue
		}
		if got := summary.Datasets[i].Flags; !slices.Equal(got, want) {
			t.Errorf("%s (allow_push %v, bucket_versioning %v): the plan summary shows flags %+v, want %+v",
				pull.Name, pull.AllowPush, pull.BucketVersioning, got, want)
		}
	}
}

// checkRemovingADatasetKeepsItsData removes a pull dataset whose bucket
// holds a file. Terraform plans to delete the bucket (a removed resource block
// takes its prevent_destroy with it), so the deploy's gate must refuse the
// plan: plan-summary --fail-on-data-risk exits 3 naming the bucket, and the
// file is untouched.
func checkRemovingADatasetKeepsItsData(ctx context.Context, t *testing.T, config stacks.Config, env []string, s3Client *s3.Client) {
	removed := config.Datasets.Pull[len(config.Datasets.Pull)-1]
	bucket, key := aws.String(removed.BucketName()), aws.String("keep/me.csv")
	// moto applies a bucket policy's Deny statements without evaluating their
	// conditions, so the TLS denies would refuse this upload.
	if _, err := s3Client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader("a,b\n")}); err != nil {
		t.Fatal(err)
	}
	config.Datasets.Pull = config.Datasets.Pull[:len(config.Datasets.Pull)-1]
	stackDir := filepath.Join(synth(t, config), "stacks", stacks.ID)
	terraform(t, stackDir, env, 0, "init", "-input=false", "-no-color")
	terraform(t, stackDir, env, 0, "plan", "-out=removal.tfplan", "-input=false", "-no-color")
	planJSON := filepath.Join(stackDir, "removal.json")
	if err := os.WriteFile(planJSON, []byte(terraform(t, stackDir, env, 0, "show", "-json", "removal.tfplan")), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := cli.PlanSummary([]string{"--fail-on-data-risk", "--datasets", t.TempDir(), planJSON}, &stdout, &stderr)
	if code != 3 || !strings.Contains(stderr.String(), "aws_s3_bucket.pull-"+removed.Name+"-bucket") {
		t.Errorf("the deploy gate let the removal of %s through: exit %d\n%s", removed.Name, code, stderr.String())
	}
	if _, err := s3Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key}); err != nil {
		t.Errorf("removing the dataset file %s lost s3://%s/%s: %v", removed.File, *bucket, *key, err)
	}
}

// terraformEnv is the environment Terraform runs in against moto: the
// emulator's credentials and region but not AWS_ENDPOINT_URL, so that the
// provider must reach moto through the endpoints the stack lists, and a
// service missing from them fails the apply.
func terraformEnv(t *testing.T, moto *motoserver.Server) []string {
	t.Helper()
	if os.Getenv("TF_CLI_CONFIG_FILE") == "" {
		t.Fatal("TF_CLI_CONFIG_FILE is not set: run this test through `make test`, which points Terraform at the offline provider mirror")
	}
	return slices.DeleteFunc(append(os.Environ(), moto.Env()...), func(v string) bool { return strings.HasPrefix(v, "AWS_ENDPOINT_URL") })
}

// terraform runs a Terraform command in dir and fails unless it exits with
// want (plan -detailed-exitcode exits 2 when there are changes).
func terraform(t *testing.T, dir string, env []string, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command("terraform", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("terraform %s: %v", args[0], err)
	}
	if code != want {
		t.Fatalf("terraform %s exited %d, want %d:\n%s", args[0], code, want, out)
	}
	return string(out)
}

func users(set datasets.Set) []string {
	var roles []string
	for _, p := range set.Push {
		roles = append(roles, p.Users...)
	}
	for _, p := range set.Pull {
		roles = append(roles, p.Users...)
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

const (
	account  = motoserver.AccountID
	region   = motoserver.Region
	queueARN = "arn:aws:sqs:" + region + ":" + account + ":" + naming.FailedMovesQueue
)

func checkMovers(ctx context.Context, t *testing.T, set datasets.Set, iamClient *iam.Client, lambdaClient *lambda.Client) {
	for _, push := range set.Push {
		role, err := iamClient.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatalf("mover role of %s: %v", push.Name, err)
		}
		if got := aws.ToString(role.Role.Path); got != naming.MoverRolePath {
			t.Errorf("%s: role path %q", push.Name, got)
		}
		synthtest.AssertPolicy(t, push.Name+" trust policy", policyDocument(t, role.Role.AssumeRolePolicyDocument), pushexport.TrustPolicy())

		policies, err := iamClient.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(policies.PolicyNames, []string{naming.MoverRolePolicy}) {
			t.Errorf("%s: inline policies %v", push.Name, policies.PolicyNames)
		}
		attached, err := iamClient.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(push.MoverName())})
		if err != nil || len(attached.AttachedPolicies) != 0 {
			t.Errorf("%s: managed policies attached: %v (%v)", push.Name, attached, err)
		}
		inline, err := iamClient.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(push.MoverName()), PolicyName: aws.String(naming.MoverRolePolicy)})
		if err != nil {
			t.Fatal(err)
		}
		logGroupARN := "arn:aws:logs:" + region + ":" + account + ":log-group:/aws/lambda/" + push.MoverName()
		synthtest.AssertPolicy(t, push.Name+" mover policy", policyDocument(t, inline.PolicyDocument),
			pushexport.MoverPolicy(naming.ExportBucket, push, logGroupARN, queueARN))

		function, err := lambdaClient.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatalf("mover function of %s: %v", push.Name, err)
		}
		wantEnv := map[string]string{
			naming.EnvDestinationBucket:  push.Bucket,
			naming.EnvKeepFiles:          strconv.FormatBool(push.KeepFiles),
			naming.EnvDatasetName:        push.Name,
			naming.EnvDestinationAccount: push.BucketAccount,
			naming.EnvSourceAccount:      account,
		}
		if function.Environment == nil || !maps.Equal(function.Environment.Variables, wantEnv) {
			t.Errorf("%s: function environment %v, want %v", push.Name, function.Environment, wantEnv)
		}
		if aws.ToString(function.Role) != aws.ToString(role.Role.Arn) || string(function.Runtime) != pushexport.Runtime ||
			aws.ToString(function.Handler) != pushexport.Handler || aws.ToInt32(function.Timeout) != pushexport.TimeoutSeconds ||
			aws.ToInt32(function.MemorySize) != pushexport.MemoryMB {
			t.Errorf("%s: function role %s runtime %s handler %s timeout %d memory %d", push.Name, aws.ToString(function.Role),
				function.Runtime, aws.ToString(function.Handler), aws.ToInt32(function.Timeout), aws.ToInt32(function.MemorySize))
		}

		invoke, err := lambdaClient.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatalf("%s: event invoke config: %v", push.Name, err)
		}
		if invoke.DestinationConfig == nil || invoke.DestinationConfig.OnFailure == nil || aws.ToString(invoke.DestinationConfig.OnFailure.Destination) != queueARN {
			t.Errorf("%s: on-failure destination %+v, want %s", push.Name, invoke.DestinationConfig, queueARN)
		}

		permission, err := lambdaClient.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatalf("%s: function policy: %v", push.Name, err)
		}
		checkInvokePermission(t, push.Name, aws.ToString(permission.Policy))
	}
}

// checkInvokePermission: only S3, only for the export bucket, only in our
// account, may invoke the mover.
func checkInvokePermission(t *testing.T, name, policy string) {
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]string
			Action    string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil || len(doc.Statement) != 1 {
		t.Fatalf("%s: function policy %s (%v)", name, policy, err)
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || st.Principal["Service"] != "s3.amazonaws.com" || st.Action != "lambda:InvokeFunction" ||
		st.Condition["ArnLike"]["AWS:SourceArn"] != iampolicy.BucketARN(naming.ExportBucket) ||
		st.Condition["StringEquals"]["AWS:SourceAccount"] != account {
		t.Errorf("%s: function policy %s", name, policy)
	}
}

func checkUsers(ctx context.Context, t *testing.T, set datasets.Set, iamClient *iam.Client) {
	want := map[string]map[string]iampolicy.Document{}
	add := func(role, name string, doc iampolicy.Document) {
		if want[role] == nil {
			want[role] = map[string]iampolicy.Document{}
		}
		want[role][name] = doc
	}
	for _, user := range set.PushByUser() {
		add(user.Role, naming.UserPushPolicy, useraccess.PushPolicy(naming.ExportBucket, user.Datasets))
	}
	for _, pull := range set.Pull {
		for _, role := range pull.Users {
			add(role, naming.UserPullPolicy(pull.Name), useraccess.PullPolicy(pull))
		}
	}
	for role, policies := range want {
		listed, err := iamClient.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		if len(listed.PolicyNames) != len(policies) {
			t.Errorf("%s has policies %v, want %d", role, listed.PolicyNames, len(policies))
		}
		for name, doc := range policies {
			got, err := iamClient.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
			if err != nil {
				t.Errorf("%s: policy %s: %v", role, name, err)
				continue
			}
			synthtest.AssertPolicy(t, role+" "+name, policyDocument(t, got.PolicyDocument), doc)
		}
	}
}

func checkNotification(ctx context.Context, t *testing.T, set datasets.Set, s3Client *s3.Client) {
	notification, err := s3Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(naming.ExportBucket)})
	if err != nil {
		t.Fatal(err)
	}
	entries := notification.LambdaFunctionConfigurations
	if len(entries) != len(set.Push) || len(notification.QueueConfigurations)+len(notification.TopicConfigurations) != 0 {
		t.Fatalf("notification configuration: %d lambda entries for %d push datasets, %+v", len(entries), len(set.Push), notification)
	}
	for _, push := range set.Push {
		functionARN := "arn:aws:lambda:" + region + ":" + account + ":function:" + push.MoverName()
		i := slices.IndexFunc(entries, func(e s3types.LambdaFunctionConfiguration) bool {
			return aws.ToString(e.LambdaFunctionArn) == functionARN
		})
		if i < 0 {
			t.Errorf("no notification entry for %s", functionARN)
			continue
		}
		entry := entries[i]
		if !slices.Equal(entry.Events, []s3types.Event{exportbucket.ObjectCreatedEvents}) {
			t.Errorf("%s: events %v", push.Name, entry.Events)
		}
		var rules []s3types.FilterRule
		if entry.Filter != nil && entry.Filter.Key != nil {
			rules = entry.Filter.Key.FilterRules
		}
		if len(rules) != 1 || aws.ToString(rules[0].Value) != push.Prefix() {
			t.Errorf("%s: filter %+v, want prefix %s only", push.Name, rules, push.Prefix())
		}
	}
}

// bucketWant is what one bucket of the stack must be.
type bucketWant struct {
	versioned bool
	// policy is the whole bucket policy.
	policy iampolicy.Document
	// lifecycle describes each lifecycle rule (see describeRule).
	lifecycle []string
	// logged: the bucket's access logs go to the log bucket.
	logged bool
}

// wantBuckets is every bucket of the stack, by name.
func wantBuckets(set datasets.Set) map[string]bucketWant {
	abort := fmt.Sprintf("%s: abort incomplete multipart uploads after %d days", securebucket.RuleAbortIncompleteUploads, securebucket.AbortIncompleteUploadsAfterDays)
	logged := []string{naming.ExportBucket}
	want := map[string]bucketWant{
		naming.ExportBucket: {
			policy:    securebucket.Policy(naming.ExportBucket, []iampolicy.Statement{exportbucket.WriteDeny(naming.ExportBucket, account)}),
			lifecycle: []string{abort},
			logged:    true,
		},
	}
	for _, pull := range set.Pull {
		versioning := pullexport.Versioning(pull)
		lifecycle := []string{abort}
		if versioning.NoncurrentVersionDays > 0 {
			lifecycle = append(lifecycle, fmt.Sprintf("%s: expire noncurrent versions after %d days, expired delete markers",
				securebucket.RuleExpireNoncurrentVersions, versioning.NoncurrentVersionDays))
		}
		want[pull.BucketName()] = bucketWant{
			versioned: versioning.Enabled,
			policy:    securebucket.Policy(pull.BucketName(), pullexport.ReaderStatements(pull, account)),
			lifecycle: lifecycle,
			logged:    true,
		}
		logged = append(logged, pull.BucketName())
	}
	want[naming.AccessLogBucket] = bucketWant{
		policy:    securebucket.Policy(naming.AccessLogBucket, accesslogbucket.DeliveryStatements(naming.AccessLogBucket, account, logged)),
		lifecycle: []string{abort, fmt.Sprintf("%s: expire objects after %d days", securebucket.RuleExpireObjects, accesslogbucket.RetentionDays)},
	}
	return want
}

// checkBuckets checks every setting of every bucket: private, encrypted,
// owned, versioned as meant, the whole policy (the export bucket's deny of
// writes by anyone but users, the log bucket's grants to log delivery, the
// readers' grants, the TLS denies), the lifecycle rules and the logging.
func checkBuckets(ctx context.Context, t *testing.T, set datasets.Set, s3Client *s3.Client) {
	for bucket, want := range wantBuckets(set) {
		b := aws.String(bucket)
		block, err := s3Client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: public access block: %v", bucket, err)
		}
		if c := block.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.BlockPublicPolicy) ||
			!aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("%s: public access block %+v", bucket, c)
		}
		encryption, err := s3Client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: encryption: %v", bucket, err)
		}
		if rules := encryption.ServerSideEncryptionConfiguration.Rules; len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil ||
			rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
			t.Errorf("%s: encryption %+v", bucket, rules)
		}
		ownership, err := s3Client.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: ownership controls: %v", bucket, err)
		}
		if rules := ownership.OwnershipControls.Rules; len(rules) != 1 || rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("%s: ownership %+v", bucket, rules)
		}
		versioning, err := s3Client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if got := versioning.Status == s3types.BucketVersioningStatusEnabled; got != want.versioned {
			t.Errorf("%s: versioning %q, want enabled=%v", bucket, versioning.Status, want.versioned)
		}

		policy, err := s3Client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: policy: %v", bucket, err)
		}
		assertSameJSON(t, bucket+" policy", aws.ToString(policy.Policy), want.policy.JSON())

		lifecycle, err := s3Client.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: lifecycle: %v", bucket, err)
		}
		var rules []string
		for _, rule := range lifecycle.Rules {
			rules = append(rules, describeRule(rule))
		}
		if !slices.Equal(rules, want.lifecycle) {
			t.Errorf("%s: lifecycle rules\n got %q\nwant %q", bucket, rules, want.lifecycle)
		}

		logging, err := s3Client.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b})
		if err != nil {
			t.Fatalf("%s: logging: %v", bucket, err)
		}
		switch target := logging.LoggingEnabled; {
		case !want.logged && target != nil:
			t.Errorf("%s logs into %s", bucket, aws.ToString(target.TargetBucket))
		case want.logged && (target == nil || aws.ToString(target.TargetBucket) != naming.AccessLogBucket ||
			aws.ToString(target.TargetPrefix) != naming.AccessLogPrefix(bucket) || len(target.TargetGrants) != 0):
			t.Errorf("%s: logging %+v, want to %s under %s without grants", bucket, target, naming.AccessLogBucket, naming.AccessLogPrefix(bucket))
		}
	}
}

// describeRule says what a lifecycle rule does, in the words of
// wantBuckets; a rule limited to part of the bucket, or doing anything
// else, says so too.
func describeRule(rule s3types.LifecycleRule) string {
	var does []string
	if rule.AbortIncompleteMultipartUpload != nil {
		does = append(does, fmt.Sprintf("abort incomplete multipart uploads after %d days", aws.ToInt32(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation)))
	}
	if rule.NoncurrentVersionExpiration != nil {
		does = append(does, fmt.Sprintf("expire noncurrent versions after %d days", aws.ToInt32(rule.NoncurrentVersionExpiration.NoncurrentDays)))
	}
	if e := rule.Expiration; e != nil {
		if aws.ToInt32(e.Days) != 0 {
			does = append(does, fmt.Sprintf("expire objects after %d days", aws.ToInt32(e.Days)))
		}
		if aws.ToBool(e.ExpiredObjectDeleteMarker) {
			does = append(does, "expired delete markers")
		}
	}
	if len(rule.Transitions)+len(rule.NoncurrentVersionTransitions) > 0 {
		does = append(does, "transitions")
	}
	if rule.Status != s3types.ExpirationStatusEnabled {
		does = append(does, "status "+string(rule.Status))
	}
	if f := rule.Filter; f != nil && (aws.ToString(f.Prefix) != "" || f.Tag != nil || f.And != nil ||
		aws.ToInt64(f.ObjectSizeGreaterThan) != 0 || aws.ToInt64(f.ObjectSizeLessThan) != 0) {
		does = append(does, fmt.Sprintf("only for filter %+v", f))
	}
	return aws.ToString(rule.ID) + ": " + strings.Join(does, ", ")
}

// checkAccessLogsArrive: moto writes an access log for every request to a
// bucket whose logging is on, as S3 does some minutes later; the requests of
// the checks above must have left logs under each bucket's prefix.
func checkAccessLogsArrive(ctx context.Context, t *testing.T, set datasets.Set, s3Client *s3.Client) {
	for bucket, want := range wantBuckets(set) {
		if !want.logged {
			continue
		}
		logs, err := s3Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(naming.AccessLogBucket), Prefix: aws.String(naming.AccessLogPrefix(bucket)), MaxKeys: aws.Int32(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(logs.Contents) == 0 {
			t.Errorf("no access log of %s under s3://%s/%s", bucket, naming.AccessLogBucket, naming.AccessLogPrefix(bucket))
		}
	}
}

// assertSameJSON compares two whole JSON documents, whatever their key
// order and spacing (Terraform sends a policy with its keys sorted).
func assertSameJSON(t *testing.T, name, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: %v in %s", name, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: %v in %s", name, err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// checkFederatedReaders: each reader's role exists with exactly its trust
// policy, at the readers' path, for an hour, with no policy of its own; the
// bucket policy names it; each tenant's OIDC provider lists the applications
// of its readers.
func checkFederatedReaders(ctx context.Context, t *testing.T, set datasets.Set, iamClient *iam.Client, s3Client *s3.Client) {
	var azureReaders []federation.AzureReader
	readers := 0
	for _, pull := range set.Pull {
		azureReaders = append(azureReaders, pull.AzureReaders...)
		policy, err := s3Client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(pull.BucketName())})
		if err != nil {
			t.Fatal(err)
		}
		bucketPolicy := synthtest.ParsePolicy(t, aws.ToString(policy.Policy))
		for _, reader := range pull.Readers() {
			readers++
			name := federation.RoleName(pull.Name, reader)
			role, err := iamClient.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				t.Fatalf("reader role %s of %s: %v", name, pull.Name, err)
			}
			arn := federation.RoleARN(account, name)
			if aws.ToString(role.Role.Arn) != arn || aws.ToString(role.Role.Path) != naming.FederatedReaderRolePath || aws.ToInt32(role.Role.MaxSessionDuration) != federation.MaxSessionSeconds {
				t.Errorf("%s: arn %s path %s max session %d", name, aws.ToString(role.Role.Arn), aws.ToString(role.Role.Path), aws.ToInt32(role.Role.MaxSessionDuration))
			}
			trust := policyDocument(t, role.Role.AssumeRolePolicyDocument)
			synthtest.AssertPolicy(t, name+" trust policy", trust, federatedreader.TrustPolicy(pull.Name, reader, account))
			if admitted, err := federation.ReadTrust(name, trust); err != nil || admitted.Identity() != reader.Identity() {
				t.Errorf("%s: the trust policy admits %v (%v), want %s", name, admitted, err, reader)
			}
			inline, err := iamClient.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
			if err != nil || len(inline.PolicyNames) != 0 {
				t.Errorf("%s: inline policies %v (%v); a reader's only permission is the bucket policy", name, inline, err)
			}
			attached, err := iamClient.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
			if err != nil || len(attached.AttachedPolicies) != 0 {
				t.Errorf("%s: managed policies attached %v (%v)", name, attached, err)
			}
			for _, statement := range bucketPolicy.Statement[:2] { // read and list
				if !slices.Contains(statement.Principal["AWS"], arn) {
					t.Errorf("%s: the bucket policy's %s does not name %s: %v", pull.BucketName(), statement.Sid, arn, statement.Principal)
				}
			}
		}
	}
	if readers == 0 {
		t.Fatal("the example datasets have no federated reader to check")
	}
	tenants := federation.Tenants(azureReaders)
	listed, err := iamClient.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(listed.OpenIDConnectProviderList) != len(tenants) {
		t.Fatalf("OIDC providers %+v (%v), want one per tenant: %v", listed, err, tenants)
	}
	for _, tenant := range tenants {
		provider, err := iamClient.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(federation.AzureProviderARN(account, tenant.ID)),
		})
		if err != nil {
			t.Fatalf("OIDC provider of tenant %s: %v", tenant.ID, err)
		}
		if aws.ToString(provider.Url) != federation.AzureProvider(tenant.ID) || !slices.Equal(provider.ClientIDList, tenant.ClientIDs) {
			t.Errorf("tenant %s: provider url %s client ids %v; want %s and %v", tenant.ID, aws.ToString(provider.Url), provider.ClientIDList, federation.AzureProvider(tenant.ID), tenant.ClientIDs)
		}
	}
}

func checkFailedMovesQueue(ctx context.Context, t *testing.T, sqsClient *sqs.Client) {
	queue, err := sqsClient.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(naming.FailedMovesQueue)})
	if err != nil {
		t.Fatalf("failed-moves queue: %v", err)
	}
	attributes, err := sqsClient.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := attributes.Attributes["MessageRetentionPeriod"]; got != "1209600" {
		t.Errorf("queue retention %s s, want 14 days", got)
	}
	if got := attributes.Attributes["SqsManagedSseEnabled"]; got != "true" {
		t.Errorf("queue encryption %q", got)
	}
}

// checkFailedMovesAlarm: one waiting failed move is enough to alarm, on the
// queue the movers report to.
func checkFailedMovesAlarm(ctx context.Context, t *testing.T, cloudwatchClient *cloudwatch.Client) {
	name := naming.FailedMovesQueue
	out, err := cloudwatchClient.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("alarms named %s: %d, want 1", name, len(out.MetricAlarms))
	}
	alarm := out.MetricAlarms[0]
	if aws.ToString(alarm.Namespace) != "AWS/SQS" || aws.ToString(alarm.MetricName) != "ApproximateNumberOfMessagesVisible" ||
		aws.ToFloat64(alarm.Threshold) != 0 || alarm.ComparisonOperator != cloudwatchtypes.ComparisonOperatorGreaterThanThreshold {
		t.Errorf("alarm watches %s %s %s %v; want AWS/SQS ApproximateNumberOfMessagesVisible > 0",
			aws.ToString(alarm.Namespace), aws.ToString(alarm.MetricName), alarm.ComparisonOperator, aws.ToFloat64(alarm.Threshold))
	}
	if len(alarm.Dimensions) != 1 || aws.ToString(alarm.Dimensions[0].Name) != "QueueName" || aws.ToString(alarm.Dimensions[0].Value) != name {
		t.Errorf("alarm dimensions %+v; want QueueName=%s", alarm.Dimensions, name)
	}
}

// policyDocument parses a policy as IAM returns it: URL-encoded JSON, as
// it was written. A single action, resource, principal or condition value
// may be written as a string rather than a list of one (as the earlier
// tool wrote the trust policies of roles the stack adopts, which Terraform
// then leaves alone as equivalent); it is read as that list.
func policyDocument(t *testing.T, encoded *string) iampolicy.Document {
	t.Helper()
	text, err := url.QueryUnescape(aws.ToString(encoded))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("policy %s: %v", text, err)
	}
	asList := func(v any) any {
		if s, ok := v.(string); ok {
			return []any{s}
		}
		return v
	}
	for _, statement := range doc.Statement {
		for _, field := range []string{"Action", "Resource"} {
			if v, ok := statement[field]; ok {
				statement[field] = asList(v)
			}
		}
		for _, field := range []string{"Principal", "Condition"} {
			values, _ := statement[field].(map[string]any)
			for key, v := range values {
				if field == "Principal" {
					values[key] = asList(v)
					continue
				}
				inner, _ := v.(map[string]any)
				for conditionKey, conditionValue := range inner {
					inner[conditionKey] = asList(conditionValue)
				}
			}
		}
	}
	normalized, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return synthtest.ParsePolicy(t, string(normalized))
}
