package federation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

var update = flag.Bool("update", false, "rewrite the golden testdata/instructions-*.sh files")

var testTarget = Target{AccountID: testAccount, Region: "eu-west-2", Dataset: testDataset}

// The instructions are read by people in other organisations: every word is
// pinned, and bash must be able to parse them.
func TestInstructionsAreTheGoldenScripts(t *testing.T) {
	for name, r := range map[string]Reader{"gcp": gcpReader, "azure": azureReader} {
		got := Instructions(r, testTarget)
		path := filepath.Join("testdata", "instructions-"+name+".sh")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./federation -run Golden -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s instructions differ from %s (run with -update and review the diff):\n%s", name, path, got)
		}
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("bash cannot parse %s: %v\n%s", path, err, out)
		}
	}
}

func TestInstructionsWithoutAnEmailSayWhatToFillIn(t *testing.T) {
	got := Instructions(GCPReader{ServiceAccountUniqueID: gcpReader.ServiceAccountUniqueID}, testTarget)
	if !strings.Contains(got, "--impersonate-service-account=<the service account's email>") {
		t.Errorf("instructions for a reader without an email:\n%s", got)
	}
}

// The exchange and read steps run as written, with the real AWS CLI, against
// the emulator: with no AWS credentials of its own, the reader ends up
// signed in as its role and lists the bucket. (moto checks no token, so this
// proves the commands, not the trust: the evaluator tests prove that.)
func TestInstructionsExchangeAndReadRunAgainstTheEmulator(t *testing.T) {
	server := motoserver.StartT(t)
	ctx := context.Background()
	target := Target{AccountID: motoserver.AccountID, Region: motoserver.Region, Dataset: testDataset}
	role := RoleName(target.Dataset, gcpReader)
	bucket := naming.PullBucket(target.Dataset)

	iamClient := iam.NewFromConfig(server.AWSConfig())
	if _, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(role),
		Path:                     aws.String(naming.FederatedReaderRolePath),
		AssumeRolePolicyDocument: aws.String(gcpReader.TrustPolicy(role).JSON()),
		MaxSessionDuration:       aws.Int32(MaxSessionSeconds),
	}); err != nil {
		t.Fatalf("IAM refuses the role or its trust policy: %v", err)
	}
	s3Client := s3.NewFromConfig(server.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3Client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: motoserver.Region},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("extract-2026-01.csv"), Body: strings.NewReader("a,b\n")}); err != nil {
		t.Fatal(err)
	}

	script := "TOKEN=" + googleStyleToken(t, role) + "\n" +
		exchangeStep(target, role, "gcp-reader") + readStep(bucket) +
		"aws sts get-caller-identity --query Arn --output text\n"
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	home := t.TempDir()
	// No AWS credentials: AssumeRoleWithWebIdentity needs none.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_ENDPOINT_URL=" + server.Endpoint,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the steps fail: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"extract-2026-01.csv",
		"arn:aws:sts::" + motoserver.AccountID + ":assumed-role/" + role + "/gcp-reader",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the steps' output does not show %s:\n%s", want, out.String())
		}
	}
}

// googleStyleToken is an unsigned token with the claims Google gives the
// test's service account for the role's audience.
func googleStyleToken(t *testing.T, role string) string {
	t.Helper()
	part := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	id := gcpReader.ServiceAccountUniqueID
	return part(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." +
		part(map[string]any{"iss": "https://accounts.google.com", "aud": GCPAudience(role), "azp": id, "sub": id, "exp": 4102444800}) +
		".c2lnbmF0dXJl"
}
