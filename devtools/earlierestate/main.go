// Command earlierestate builds, on an AWS emulator, what the earlier tool
// (the Python/Pulumi program this product replaces) deployed for an
// invented set of datasets (testsupport/earliertool.Example), with what
// exists outside it (the users' roles, the recipients' buckets), and writes
// that tool's dataset files. `make demo-migration` starts from it.
//
//	go run ./devtools/earlierestate -files DIR -manifest FILE
//	go run ./devtools/earlierestate -pin-accounts DATASETS_DIR
//
// The second form takes, in the files `exports migrate` wrote, the decision
// each migrated push file waits for: the recipient's account, which the
// earlier tool never recorded (on the emulator, its one account).
//
// It writes only to an emulator: AWS_ENDPOINT_URL must point at 127.0.0.1
// or localhost.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/earliertool"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func main() {
	files := flag.String("files", "", "directory to write the earlier tool's dataset files in (push_datasets/, pull_datasets/)")
	manifest := flag.String("manifest", "", "file to write, one line per version of every object: s3://<bucket>/<key> <SHA-256>, sorted")
	pin := flag.String("pin-accounts", "", "directory of migrated dataset files whose push files get the emulator's account as bucket_account")
	flag.Parse()
	if *pin != "" {
		if err := earliertool.Example().PinRecipientAccounts(*pin, motoserver.AccountID); err != nil {
			fmt.Fprintf(os.Stderr, "earlierestate: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *files == "" || *manifest == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./devtools/earlierestate -files DIR -manifest FILE | -pin-accounts DATASETS_DIR")
		os.Exit(2)
	}
	if err := run(context.Background(), *files, *manifest); err != nil {
		fmt.Fprintf(os.Stderr, "earlierestate: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, files, manifest string) error {
	endpoint, err := url.Parse(os.Getenv("AWS_ENDPOINT_URL"))
	if err != nil || (endpoint.Hostname() != "127.0.0.1" && endpoint.Hostname() != "localhost") {
		return errors.New("AWS_ENDPOINT_URL must point at an emulator on 127.0.0.1 or localhost: this tool never writes to a real account")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	estate := earliertool.Example()
	roles := iam.NewFromConfig(cfg)
	for _, user := range estate.Users() {
		if _, err := roles.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(user),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		}); err != nil {
			return fmt.Errorf("create the user's role %s: %w", user, err)
		}
	}
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, bucket := range estate.Recipients() {
		if _, err := buckets.CreateBucket(ctx, &s3.CreateBucketInput{
			Bucket:                    aws.String(bucket),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)},
		}); err != nil {
			return fmt.Errorf("create the recipient's bucket %s: %w", bucket, err)
		}
	}
	if err := estate.Build(ctx, cfg); err != nil {
		return err
	}
	if err := estate.WriteFiles(files); err != nil {
		return err
	}
	lines := objectLines(estate)
	if err := os.WriteFile(manifest, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	var push, pull []string
	for _, p := range estate.Push {
		push = append(push, p.Name)
	}
	for _, p := range estate.Pull {
		pull = append(pull, p.Name)
	}
	fmt.Printf("users' roles: %s\n", strings.Join(estate.Users(), " "))
	fmt.Printf("recipients' buckets (in other accounts for real): %s\n", strings.Join(estate.Recipients(), " "))
	fmt.Printf("the earlier tool's push datasets: %s; pull datasets: %s\n", strings.Join(push, " "), strings.Join(pull, " "))
	fmt.Printf("%d object versions in %d buckets, %d of them waiting in %s\n", len(lines), len(estate.Pull)+1, len(estate.Waiting), naming.ExportBucket)
	return nil
}

// objectLines is every version of every object the estate holds, as
// "s3://<bucket>/<key> <SHA-256 of its bytes>", sorted.
func objectLines(estate earliertool.Estate) []string {
	var lines []string
	add := func(bucket, key, body string) {
		sum := sha256.Sum256([]byte(body))
		lines = append(lines, "s3://"+bucket+"/"+key+" "+hex.EncodeToString(sum[:]))
	}
	for key, body := range estate.Waiting {
		add(naming.ExportBucket, key, body)
	}
	for _, p := range estate.Pull {
		for key, versions := range p.Objects {
			for _, body := range versions {
				add(p.Bucket(), key, body)
			}
		}
	}
	slices.Sort(lines)
	return lines
}
