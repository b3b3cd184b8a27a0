package stacks_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/functions/mover/move"
	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
	appsynth "github.com/ministryofjustice/data-engineering-exports/internal/synth"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/earliertool"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

// TestAdoptTheEarlierToolsEstate is the switch from the earlier tool, on
// moto: its estate is built with the AWS SDK (never with our stack), its
// dataset files are migrated, adopt writes the imports file, and the stack
// is synthesized with it. The plan must import every bucket and role and
// create, destroy or replace none, and the deploy's gate must let it
// through. After the apply every object and every version is still there,
// byte for byte; no grant of the earlier tool is left; the adopted mover
// moves a new file and a sweep moves the objects that were waiting; the
// checks of TestApplyToMoto pass; and a second plan is empty.
func TestAdoptTheEarlierToolsEstate(t *testing.T) {
	started := time.Now()
	ctx := t.Context()
	moto := motoserver.StartTWith(t, motoserver.Options{LoadManagedPolicies: true})
	env := terraformEnv(t, moto)
	// adopt and the mover read the AWS settings from the process environment.
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	cfg := moto.AWSConfig()
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	iamClient := iam.NewFromConfig(cfg)

	estate := earliertool.Example()
	if err := moto.CreateRoles(ctx, estate.Users()...); err != nil {
		t.Fatal(err)
	}
	for _, bucket := range estate.Recipients() {
		if _, err := s3Client.CreateBucket(ctx, &s3.CreateBucketInput{
			Bucket: aws.String(bucket), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: motoserver.Region},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := estate.Build(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	buckets := []string{naming.ExportBucket}
	for _, pull := range estate.Pull {
		buckets = append(buckets, pull.Bucket())
	}
	var before map[string]objectVersions
	withoutBucketPolicies(ctx, t, s3Client, buckets, func() { before = snapshot(ctx, t, s3Client, buckets) })
	phase := time.Now()
	lap := func(name string) {
		t.Logf("%-8s %s", name, time.Since(phase).Round(100*time.Millisecond))
		phase = time.Now()
	}
	lap("estate")

	// The pull request: migrate, adopt, synthesize.
	legacy, dir := t.TempDir(), t.TempDir()
	if err := estate.WriteFiles(legacy); err != nil {
		t.Fatal(err)
	}
	// Exit 3: every push file waits for its recipient's account, which the
	// earlier tool never recorded; the test takes that decision as a person
	// would, then nothing is pending.
	run(t, 3, cli.Migrate, "--from", legacy, "--to", dir)
	if err := estate.PinRecipientAccounts(dir, motoserver.AccountID); err != nil {
		t.Fatal(err)
	}
	report := run(t, 0, cli.Adopt, "--datasets", dir)
	t.Logf("adopt's report:\n%s", report)
	set, err := datasets.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	config := configFor(t, *set)
	config.Endpoint = moto.Endpoint
	config.Backend = stacks.Backend{LocalPath: filepath.Join(t.TempDir(), "exports.tfstate")}
	if config.Imports, err = appsynth.Imports(dir); err != nil {
		t.Fatal(err)
	}
	stackDir := filepath.Join(synth(t, config), "stacks", stacks.ID)
	lap("adopt")

	terraform(t, stackDir, env, 0, "init", "-input=false", "-no-color")
	terraform(t, stackDir, env, 0, "plan", "-out=switch.tfplan", "-input=false", "-no-color")
	planJSON := filepath.Join(stackDir, "switch.json")
	if err := os.WriteFile(planJSON, []byte(terraform(t, stackDir, env, 0, "show", "-json", "switch.tfplan")), 0o644); err != nil {
		t.Fatal(err)
	}
	checkSwitchPlan(t, *set, dir, planJSON, config.Imports)
	lap("plan")
	terraform(t, stackDir, env, 0, "apply", "-input=false", "-no-color", "switch.tfplan")
	lap("apply")

	checkMovers(ctx, t, *set, iamClient, lambda.NewFromConfig(cfg))
	checkUsers(ctx, t, *set, iamClient)
	checkNotification(ctx, t, *set, s3Client)
	checkBuckets(ctx, t, *set, s3Client)
	checkNoEarlierGrant(ctx, t, iamClient, estate.Users())
	withoutBucketPolicies(ctx, t, s3Client, buckets, func() {
		if after := snapshot(ctx, t, s3Client, buckets); !maps.EqualFunc(before, after, slices.Equal) {
			t.Errorf("objects changed in the switch:\nbefore %v\nafter  %v", before, after)
		}
		checkAdoptedMoversDeliver(ctx, t, *set, estate, s3Client, lambda.NewFromConfig(cfg))
	})
	lap("checks")

	terraform(t, stackDir, env, 0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	lap("replan")
	t.Logf("whole test %s", time.Since(started).Round(time.Second))
}

// run runs a command of the tool and fails unless it exits with want; it
// returns what the command printed on stdout.
func run(t *testing.T, want int, command func([]string, io.Writer, io.Writer) int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := command(args, &stdout, &stderr); code != want {
		t.Fatalf("%q exited %d, want %d:\n%s%s", args, code, want, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// checkSwitchPlan: the plan imports every entry of the imports file and
// every bucket and role, creates, destroys or replaces no bucket or role
// (but the stack's new access-log bucket, which it creates),
// replaces only what must go (the earlier tool's user policies and S3
// permissions, which Terraform deletes), and the deploy's gate lets it
// through.
func checkSwitchPlan(t *testing.T, set datasets.Set, datasetsDir, planJSON string, imports []stacks.Import) {
	t.Helper()
	data, err := os.ReadFile(planJSON)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := plansummary.ParsePlan(data)
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]*tfjson.ResourceChange{}
	for _, rc := range plan.ResourceChanges {
		changes[rc.Address] = rc
	}
	for _, imp := range imports {
		// A user's policy has a count (0 while the role is gone): its one
		// instance, [0], is what is imported into.
		rc := cmp.Or(changes[imp.To], changes[imp.To+"[0]"])
		if rc == nil || rc.Change.Importing == nil || rc.Change.Importing.ID != imp.ID {
			t.Errorf("%s (%s): the plan does not import %s", imp.To, imp.Source, imp.ID)
		}
	}
	replaced := map[string]int{}
	for _, rc := range plan.ResourceChanges {
		actions := rc.Change.Actions
		switch {
		case rc.Address == "aws_s3_bucket."+naming.SharedLogicalID(naming.AccessLogBucketPartPrefix+naming.PartBucket):
			// The stack's own access-log bucket, which the earlier tool
			// never had: the one bucket the switch creates, holding no data.
			if !actions.Create() {
				t.Errorf("%s: %v; want it created", rc.Address, actions)
			}
		case rc.Type == "aws_s3_bucket" || rc.Type == "aws_iam_role":
			if !(actions.NoOp() || actions.Update()) || rc.Change.Importing == nil {
				t.Errorf("%s: %v (imported: %v); want it imported, and updated in place at most", rc.Address, actions, rc.Change.Importing != nil)
			}
		case actions.Replace():
			replaced[rc.Type]++
			if rc.Change.Importing == nil {
				t.Errorf("%s is replaced but not imported: %v", rc.Address, actions)
			}
		case actions.Delete():
			t.Errorf("%s is deleted", rc.Address)
		}
	}
	// The estate holds none of the stack's own user policies or S3
	// permissions: each one imported is the earlier tool's, under another
	// name, so Terraform replaces it, deleting it. There is one for every
	// user policy and every mover of the stack.
	want := map[string]int{}
	for _, imp := range imports {
		if resourceType, _, _ := strings.Cut(imp.To, "."); resourceType == "aws_iam_role_policy" || resourceType == "aws_lambda_permission" {
			want[resourceType]++
		}
	}
	userPolicies := len(set.PushByUser())
	for _, pull := range set.Pull {
		userPolicies += len(pull.Users)
	}
	if want["aws_iam_role_policy"] != userPolicies || want["aws_lambda_permission"] != len(set.Push) {
		t.Errorf("imports %v; want every one of the %d user policies and %d S3 permissions", want, userPolicies, len(set.Push))
	}
	if !maps.Equal(replaced, want) {
		t.Errorf("replaced %v, want %v", replaced, want)
	}
	if risks := plansummary.Gate(plan.Plan); len(risks) > 0 {
		t.Errorf("the deploy's gate refuses the switch: %v", risks)
	}
	summary := run(t, 0, cli.PlanSummary, "--fail-on-data-risk", "--datasets", datasetsDir, planJSON)
	t.Logf("the plan summary:\n%s", summary)
	if !strings.Contains(summary, "5 adopted") {
		t.Errorf("the plan summary does not count 5 datasets adopted:\n%s", summary)
	}
}

// checkNoEarlierGrant: no user role keeps a policy of the earlier tool.
// (checkMovers already requires the mover roles to hold only "move".)
func checkNoEarlierGrant(ctx context.Context, t *testing.T, iamClient *iam.Client, roles []string) {
	t.Helper()
	for _, role := range roles {
		out, err := iamClient.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		for _, policy := range out.PolicyNames {
			if _, earlierPull := naming.ParseEarlierUserPullPolicy(policy); earlierPull || policy == naming.EarlierUserPushPolicy {
				t.Errorf("%s still has the earlier tool's policy %s", role, policy)
			}
		}
	}
}

// objectVersions are the versions of one object, newest first, each its
// version id and its bytes.
type objectVersions []string

// snapshot is every version of every object in the buckets, by
// s3://bucket/key.
func snapshot(ctx context.Context, t *testing.T, s3Client *s3.Client, buckets []string) map[string]objectVersions {
	t.Helper()
	objects := map[string]objectVersions{}
	for _, bucket := range buckets {
		pages := s3.NewListObjectVersionsPaginator(s3Client, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatalf("list %s: %v", bucket, err)
			}
			for _, v := range page.Versions {
				body := getObject(ctx, t, s3Client, bucket, aws.ToString(v.Key), aws.ToString(v.VersionId))
				object := "s3://" + bucket + "/" + aws.ToString(v.Key)
				objects[object] = append(objects[object], aws.ToString(v.VersionId)+" "+body)
			}
		}
	}
	return objects
}

// getObject is an object's bytes; versionID "" or "null" reads the latest.
func getObject(ctx context.Context, t *testing.T, s3Client *s3.Client, bucket, key, versionID string) string {
	t.Helper()
	input := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if versionID != "" && versionID != "null" {
		input.VersionId = aws.String(versionID)
	}
	out, err := s3Client.GetObject(ctx, input)
	if err != nil {
		t.Fatalf("get s3://%s/%s (version %q): %v", bucket, key, versionID, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// withoutBucketPolicies runs check with the buckets' policies set aside and
// puts them back as they were. moto applies a bucket policy's Deny
// statements without evaluating their conditions, so the TLS denies of
// both tools would refuse every object request the check makes.
func withoutBucketPolicies(ctx context.Context, t *testing.T, s3Client *s3.Client, buckets []string, check func()) {
	t.Helper()
	saved := map[string]*string{}
	for _, bucket := range buckets {
		out, err := s3Client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		if err != nil {
			continue // no policy to set aside
		}
		saved[bucket] = out.Policy
		if _, err := s3Client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for bucket, policy := range saved {
			if _, err := s3Client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: policy}); err != nil {
				t.Errorf("put the policy of %s back: %v", bucket, err)
			}
		}
	}()
	check()
}

// checkAdoptedMoversDeliver runs each adopted mover as Lambda would (moto
// cannot run functions): with its deployed configuration, on the S3 event
// for a new object under its prefix, then sweeps the prefix as an operator
// does after the switch (`mover --sweep`), which moves the objects that
// waited in the export bucket.
func checkAdoptedMoversDeliver(ctx context.Context, t *testing.T, set datasets.Set, estate earliertool.Estate, s3Client *s3.Client, lambdaClient *lambda.Client) {
	t.Helper()
	for _, push := range set.Push {
		function, err := lambdaClient.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(push.MoverName())})
		if err != nil {
			t.Fatal(err)
		}
		getenv := func(name string) string {
			if value, ok := function.Environment.Variables[name]; ok {
				return value
			}
			return os.Getenv(name)
		}
		mover, err := move.FromEnvironment(ctx, getenv, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		key, body := push.Prefix()+"after-the-switch.csv", "pushed,after\n"+push.Name+",switch\n"
		if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(naming.ExportBucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		// The event as S3 sends it, read as the Lambda runtime reads it
		// (which decodes the key).
		record, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
			"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
			"s3": map[string]any{"bucket": map[string]any{"name": naming.ExportBucket}, "object": map[string]any{"key": url.QueryEscape(key), "size": len(body)}},
		}}})
		var event events.S3Event
		if err := json.Unmarshal(record, &event); err != nil {
			t.Fatal(err)
		}
		if err := mover.HandleS3Event(ctx, event); err != nil {
			t.Errorf("%s: the adopted mover failed: %v", push.Name, err)
		}
		checkDelivered(ctx, t, s3Client, push, key, body)

		var stdout, stderr bytes.Buffer
		if code := move.Command(ctx, []string{"--sweep", "s3://" + naming.ExportBucket + "/" + push.Prefix()}, getenv, nil, &stdout, &stderr); code != 0 {
			t.Errorf("%s: mover --sweep exited %d: %s%s", push.Name, code, stdout.String(), stderr.String())
		}
		waiting := 0
		for key, body := range estate.Waiting {
			if strings.HasPrefix(key, push.Prefix()) {
				waiting++
				checkDelivered(ctx, t, s3Client, push, key, body)
			}
		}
		if waiting == 0 {
			t.Errorf("%s: no object waited under %s: the sweep proved nothing", push.Name, push.Prefix())
		}
	}
}

// checkDelivered: the object is in the recipient's bucket byte for byte,
// and in the export bucket only when the dataset keeps files.
func checkDelivered(ctx context.Context, t *testing.T, s3Client *s3.Client, push datasets.Push, key, body string) {
	t.Helper()
	if got := getObject(ctx, t, s3Client, push.Bucket, key, ""); got != body {
		t.Errorf("s3://%s/%s holds %q, want %q", push.Bucket, key, got, body)
	}
	_, err := s3Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(naming.ExportBucket), Key: aws.String(key)})
	if kept := err == nil; kept != push.KeepFiles {
		t.Errorf("%s: s3://%s/%s kept %v after delivery, want %v (keep_files)", push.Name, naming.ExportBucket, key, kept, push.KeepFiles)
	}
}
