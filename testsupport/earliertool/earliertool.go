// Package earliertool stands in for the earlier tool (the Python/Pulumi
// program this product replaces): it builds in an account, through the AWS
// SDK and never through our stack, what that tool deployed, named as it
// named it, and writes its dataset files in its format. Tests and `make
// demo-migration` use it to prove the switch on the moto emulator.
//
// What it builds, for an Estate:
//   - the export bucket (public access blocked, SSE), holding the objects
//     waiting to be moved;
//   - per push dataset: a role at /service-role/ with the inline policy
//     s3-access and the managed AWSLambdaBasicExecutionRole attached (so
//     the emulator must load managed policies), a python3.8 function, a
//     permission for S3 whose statement id carries a generated suffix, and
//     its log group once the function has run;
//   - one notification configuration on the export bucket with an entry
//     per push dataset;
//   - per pull dataset: its bucket, holding objects (several versions of
//     each where versioned), and its bucket policy;
//   - on users' roles, which must exist: hub_exports for their push
//     prefixes, and hub-exports-pull-<name> per pull dataset.
package earliertool

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// BasicExecutionRole is the AWS managed policy attached to its mover roles.
const BasicExecutionRole = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// Estate is what the earlier tool deployed for a set of datasets.
type Estate struct {
	Push []Push
	Pull []Pull
	// Waiting are objects in the export bucket, by key, that users wrote
	// and no mover has moved yet.
	Waiting map[string]string
}

// Push is one push dataset.
type Push struct {
	// Name is the dataset's name, as its file wrote it.
	Name      string
	Recipient string
	Users     []string
	KeepFiles bool
	// Function is the function that delivers it, and Role the role that
	// function runs as: naming.MoverName(Name) when empty. Some versions of
	// the earlier tool delivered datasets that keep files with a copy
	// function under another name.
	Function, Role string
	// Ran: the function has run, so Lambda created its log group (without
	// retention).
	Ran bool
}

// Pull is one pull dataset.
type Pull struct {
	// Name is the dataset's name, as its file wrote it: hyphens too.
	Name      string
	PullARNs  []string
	Users     []string
	AllowPush bool
	Versioned bool
	// Objects are its bucket's objects by key, each with its versions,
	// oldest first (more than one only in a versioned bucket).
	Objects map[string][]string
}

// FunctionName is the function that delivers the dataset.
func (p Push) FunctionName() string { return cmpOr(p.Function, naming.MoverName(p.Name)) }

// RoleName is the role that function runs as.
func (p Push) RoleName() string { return cmpOr(p.Role, naming.MoverName(p.Name)) }

// Bucket is the pull dataset's bucket.
func (p Pull) Bucket() string { return naming.PullBucket(p.Name) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// StatementID is the statement id of the permission that lets S3 invoke a
// function: the function's name and a suffix, as Pulumi generated it.
func StatementID(function string) string {
	sum := sha256.Sum256([]byte(function))
	return function + "-s3-" + hex.EncodeToString(sum[:])[:7]
}

// Build creates the estate in the account of config. The users' roles
// must exist; everything else must not.
func (e Estate) Build(ctx context.Context, config aws.Config) error {
	b := builder{
		ctx:    ctx,
		s3:     s3.NewFromConfig(config, func(o *s3.Options) { o.UsePathStyle = config.BaseEndpoint != nil }),
		iam:    iam.NewFromConfig(config),
		lambda: lambda.NewFromConfig(config),
		logs:   cloudwatchlogs.NewFromConfig(config),
		region: config.Region,
	}
	steps := []func(Estate) error{b.exportBucket, b.movers, b.notification, b.pullBuckets, b.userPolicies}
	for _, step := range steps {
		if err := step(e); err != nil {
			return fmt.Errorf("earlier tool's estate: %w", err)
		}
	}
	return nil
}

type builder struct {
	ctx    context.Context
	s3     *s3.Client
	iam    *iam.Client
	lambda *lambda.Client
	logs   *cloudwatchlogs.Client
	region string
}

func (b builder) createBucket(name string) error {
	if _, err := b.s3.CreateBucket(b.ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.region)},
	}); err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

func (b builder) put(bucket, key, body string) error {
	if _, err := b.s3.PutObject(b.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// exportBucket: private and encrypted, with the waiting objects written
// before any notification exists (the emulator would try to start the
// functions).
func (b builder) exportBucket(e Estate) error {
	if err := b.createBucket(naming.ExportBucket); err != nil {
		return err
	}
	if _, err := b.s3.PutPublicAccessBlock(b.ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String(naming.ExportBucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
		},
	}); err != nil {
		return err
	}
	if _, err := b.s3.PutBucketEncryption(b.ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(naming.ExportBucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256},
		}}},
	}); err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(e.Waiting)) {
		if err := b.put(naming.ExportBucket, key, e.Waiting[key]); err != nil {
			return err
		}
	}
	return nil
}

// policy is an IAM policy document.
func policy(statements ...map[string]any) string {
	data, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements}) // maps of strings always marshal
	return string(data)
}

func (b builder) movers(e Estate) error {
	for _, p := range e.Push {
		role, err := b.iam.CreateRole(b.ctx, &iam.CreateRoleInput{
			RoleName: aws.String(p.RoleName()),
			Path:     aws.String(naming.MoverRolePath),
			AssumeRolePolicyDocument: aws.String(policy(map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
			})),
		})
		if err != nil {
			return fmt.Errorf("create role %s: %w", p.RoleName(), err)
		}
		if _, err := b.iam.PutRolePolicy(b.ctx, &iam.PutRolePolicyInput{
			RoleName:   aws.String(p.RoleName()),
			PolicyName: aws.String(naming.EarlierMoverRolePolicy),
			PolicyDocument: aws.String(policy(
				map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject*", "s3:DeleteObject*"}, "Resource": "arn:aws:s3:::" + naming.ExportBucket + "/" + p.Name + "/*"},
				map[string]any{"Effect": "Allow", "Action": "s3:PutObject*", "Resource": "arn:aws:s3:::" + p.Recipient + "/*"},
			)),
		}); err != nil {
			return err
		}
		if _, err := b.iam.AttachRolePolicy(b.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(p.RoleName()), PolicyArn: aws.String(BasicExecutionRole)}); err != nil {
			return fmt.Errorf("attach %s to %s (does the emulator load managed policies?): %w", BasicExecutionRole, p.RoleName(), err)
		}
		code, err := pythonZip(p.KeepFiles)
		if err != nil {
			return err
		}
		if _, err := b.lambda.CreateFunction(b.ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(p.FunctionName()),
			Role:         role.Role.Arn,
			Runtime:      lambdatypes.RuntimePython38,
			Handler:      aws.String("lambda_function.handler"),
			Timeout:      aws.Int32(300),
			Code:         &lambdatypes.FunctionCode{ZipFile: code},
			Environment:  &lambdatypes.Environment{Variables: map[string]string{naming.EnvDestinationBucket: p.Recipient}},
		}); err != nil {
			return fmt.Errorf("create function %s: %w", p.FunctionName(), err)
		}
		if _, err := b.lambda.AddPermission(b.ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(p.FunctionName()),
			StatementId:  aws.String(StatementID(p.FunctionName())),
			Action:       aws.String("lambda:InvokeFunction"),
			Principal:    aws.String("s3.amazonaws.com"),
			SourceArn:    aws.String("arn:aws:s3:::" + naming.ExportBucket),
		}); err != nil {
			return fmt.Errorf("add the S3 permission to %s: %w", p.FunctionName(), err)
		}
		if p.Ran {
			if _, err := b.logs.CreateLogGroup(b.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/" + p.FunctionName())}); err != nil {
				return err
			}
		}
	}
	return nil
}

// pythonZip is a deployment package standing in for the earlier tool's
// python function (the emulator never runs it).
func pythonZip(keepFiles bool) ([]byte, error) {
	source := `import os, urllib.parse, boto3

s3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        s3.copy_object(Bucket=os.environ["DESTINATION_BUCKET"], Key=key, CopySource={"Bucket": bucket, "Key": key})
`
	if !keepFiles {
		source += "        s3.delete_object(Bucket=bucket, Key=key)\n"
	}
	var buf bytes.Buffer
	archive := zip.NewWriter(&buf)
	w, err := archive.Create("lambda_function.py")
	if err != nil {
		return nil, err
	}
	if _, err := w.Write([]byte(source)); err != nil {
		return nil, err
	}
	if err := archive.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// notification is the export bucket's one configuration, an entry per push
// dataset.
func (b builder) notification(e Estate) error {
	var entries []s3types.LambdaFunctionConfiguration
	for _, p := range e.Push {
		function, err := b.lambda.GetFunctionConfiguration(b.ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(p.FunctionName())})
		if err != nil {
			return err
		}
		entries = append(entries, s3types.LambdaFunctionConfiguration{
			Id:                aws.String(p.Name + "-notification"),
			LambdaFunctionArn: function.FunctionArn,
			Events:            []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{
				Name: s3types.FilterRuleNamePrefix, Value: aws.String(naming.ExportPrefix(p.Name)),
			}}}},
		})
	}
	if len(entries) == 0 {
		return nil
	}
	_, err := b.s3.PutBucketNotificationConfiguration(b.ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(naming.ExportBucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: entries},
	})
	return err
}

// pullBuckets: each bucket with its objects, then its policy (the emulator
// applies the TLS denies without their conditions, refusing every later
// write).
func (b builder) pullBuckets(e Estate) error {
	for _, p := range e.Pull {
		bucket := p.Bucket()
		if err := b.createBucket(bucket); err != nil {
			return err
		}
		if p.Versioned {
			if _, err := b.s3.PutBucketVersioning(b.ctx, &s3.PutBucketVersioningInput{
				Bucket:                  aws.String(bucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
			}); err != nil {
				return err
			}
		}
		for _, key := range slices.Sorted(maps.Keys(p.Objects)) {
			for _, body := range p.Objects[key] {
				if err := b.put(bucket, key, body); err != nil {
					return err
				}
			}
		}
		readers := map[string]any{"AWS": p.PullARNs}
		actions := []string{"s3:GetObject"}
		if p.AllowPush {
			actions = append(actions, "s3:PutObject")
		}
		if _, err := b.s3.PutBucketPolicy(b.ctx, &s3.PutBucketPolicyInput{
			Bucket: aws.String(bucket),
			Policy: aws.String(policy(
				map[string]any{"Effect": "Allow", "Principal": readers, "Action": actions, "Resource": "arn:aws:s3:::" + bucket + "/*"},
				map[string]any{"Effect": "Allow", "Principal": readers, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::" + bucket},
				map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
					"Condition": map[string]any{"NumericLessThan": map[string]any{"s3:TlsVersion": "1.2"}}},
			)),
		}); err != nil {
			return fmt.Errorf("put the policy of bucket %s: %w", bucket, err)
		}
	}
	return nil
}

// userPolicies: hub_exports on each push user's role, for all their
// prefixes, and hub-exports-pull-<name> per pull dataset.
func (b builder) userPolicies(e Estate) error {
	prefixes := map[string][]string{}
	for _, p := range e.Push {
		for _, user := range p.Users {
			prefixes[user] = append(prefixes[user], "arn:aws:s3:::"+naming.ExportBucket+"/"+p.Name+"/*")
		}
	}
	for _, user := range slices.Sorted(maps.Keys(prefixes)) {
		if err := b.putUserPolicy(user, naming.EarlierUserPushPolicy, policy(
			map[string]any{"Effect": "Allow", "Action": []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"}, "Resource": prefixes[user]},
			map[string]any{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::" + naming.ExportBucket},
		)); err != nil {
			return err
		}
	}
	for _, p := range e.Pull {
		bucket := "arn:aws:s3:::" + p.Bucket()
		for _, user := range p.Users {
			if err := b.putUserPolicy(user, naming.EarlierUserPullPolicy(p.Name), policy(
				map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, "Resource": bucket + "/*"},
				map[string]any{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
			)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b builder) putUserPolicy(role, name, document string) error {
	if _, err := b.iam.PutRolePolicy(b.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(document)}); err != nil {
		return fmt.Errorf("put policy %s on role %s: %w", name, role, err)
	}
	return nil
}

// Users is every user role the estate names, sorted.
func (e Estate) Users() []string {
	var users []string
	for _, p := range e.Push {
		users = append(users, p.Users...)
	}
	for _, p := range e.Pull {
		users = append(users, p.Users...)
	}
	slices.Sort(users)
	return slices.Compact(users)
}

// WriteFiles writes the earlier tool's dataset files into dir, as its
// repository holds them: push_datasets/ with target_bucket and
// pull_datasets/, flags as one-item lists.
func (e Estate) WriteFiles(dir string) error {
	write := func(kindDir, name, text string) error {
		if err := os.MkdirAll(filepath.Join(dir, kindDir), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, kindDir, name+".yaml"), []byte(text), 0o644)
	}
	users := func(list []string) string { return "users:\n  - " + strings.Join(list, "\n  - ") + "\n" }
	for _, p := range e.Push {
		text := "name: " + p.Name + "\ntarget_bucket: " + p.Recipient + "\n" + users(p.Users) +
			"paperwork: https://justiceuk.sharepoint.com/sites/dpia/" + p.Name + "\n"
		if p.KeepFiles {
			text += "keep_files: [True]\n"
		}
		if err := write("push_datasets", p.Name, text); err != nil {
			return err
		}
	}
	for _, p := range e.Pull {
		text := "name: " + p.Name + "\npull_arns:\n  - " + strings.Join(p.PullARNs, "\n  - ") + "\n" + users(p.Users) +
			"paperwork: https://justiceuk.sharepoint.com/sites/dpia/" + p.Name + "\n"
		if p.AllowPush {
			text += "allow_push: [True]\n"
		}
		if p.Versioned {
			text += "bucket_versioning: [True]\n"
		}
		if err := write("pull_datasets", p.Name, text); err != nil {
			return err
		}
	}
	return nil
}

// Example is an invented estate: two push datasets, one keeping files,
// whose functions have run once and never; three pull datasets, one
// versioned with an object of several versions, one written with a hyphen
// and one letting its readers write; objects waiting under both push
// prefixes.
func Example() Estate {
	return Estate{
		Push: []Push{
			{Name: "prison_visits_weekly", Recipient: "visits-booking-exchange", Users: []string{"alpha_user_sam-lee", "alpha_user_tom-okafor"}, Ran: true},
			{Name: "court_hearings_feed", Recipient: "listing-service-landing-prod", Users: []string{"alpha_user_priya-patel", "alpha_user_tom-okafor"}, KeepFiles: true},
		},
		Pull: []Pull{
			{
				Name: "adjudications-insights", PullARNs: []string{"arn:aws:iam::754256621582:role/cloud-platform-irsa-adjudications"},
				Users: []string{"alpha_user_kofi-mensah", "alpha_user_priya-patel"}, Versioned: true,
				Objects: map[string][]string{
					"monthly/summary.csv": {"month,count\n2024-03,17\n", "month,count\n2024-03,17\n2024-04,21\n", "month,count\n2024-03,17\n2024-04,21\n2024-05,19\n"},
					"README.txt":          {"Adjudications, one row per month.\n"},
				},
			},
			{
				Name: "cjs_dashboard", AllowPush: true,
				PullARNs: []string{"arn:aws:iam::754256621582:role/cloud-platform-irsa-cjs-dashboard-live", "arn:aws:iam::210987654321:role/cjs-dashboard-loader"},
				Users:    []string{"alpha_user_janedoe"},
				Objects:  map[string][]string{"latest/cases.parquet": {"PAR1 not really parquet PAR1"}},
			},
			{
				Name: "tribunal_sync", PullARNs: []string{"arn:aws:iam::111122223333:role/tribunal-sync"},
				Users:   []string{"alpha_user_ola-nowak"},
				Objects: map[string][]string{"outcomes/2024-05.csv": {"case,outcome\n1,upheld\n"}},
			},
		},
		Waiting: map[string]string{
			"prison_visits_weekly/2024-05-01/visits.csv": "date,visits\n2024-05-01,311\n",
			"prison_visits_weekly/2024-05-02/visits.csv": "date,visits\n2024-05-02,298\n",
			"court_hearings_feed/hearings-0501.json":     `{"hearings": 42}` + "\n",
		},
	}
}

// Recipients are the recipients' buckets, sorted: in other accounts for
// real, so the estate does not include them.
func (e Estate) Recipients() []string {
	var buckets []string
	for _, p := range e.Push {
		buckets = append(buckets, p.Recipient)
	}
	slices.Sort(buckets)
	return slices.Compact(buckets)
}

// PinRecipientAccounts takes, in the migrated dataset files under
// datasetsDir, the one decision `migrate` leaves every push file of this
// estate waiting for, as a data engineer would once each recipient has
// named it: the account that owns the recipient's bucket (bucket_account),
// here account, which owns every bucket on the emulator.
func (e Estate) PinRecipientAccounts(datasetsDir, account string) error {
	for _, p := range e.Push {
		path := naming.DatasetFile(datasetsDir, naming.KindPush, p.Name)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		bucketLine := "bucket: " + p.Recipient + "\n"
		if !strings.Contains(string(data), bucketLine) {
			return fmt.Errorf("%s has no line %q to pin the account after", path, strings.TrimSpace(bucketLine))
		}
		pinned := strings.Replace(string(data), bucketLine, bucketLine+`bucket_account: "`+account+`"`+"\n", 1)
		if err := os.WriteFile(path, []byte(pinned), 0o644); err != nil {
			return err
		}
	}
	return nil
}
