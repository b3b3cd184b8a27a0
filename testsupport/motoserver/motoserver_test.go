package motoserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestServerAnswersS3(t *testing.T) {
	s := StartT(t)
	client := s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("probe"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(Region)},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(out.Buckets) != 1 {
		t.Fatalf("ListBuckets = %v, %v; want one bucket", out, err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	out, err = client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(out.Buckets) != 0 {
		t.Fatalf("after Reset ListBuckets = %v, %v; want none", out, err)
	}
}

func TestCreateRoles(t *testing.T) {
	s := StartT(t)
	ctx := context.Background()
	if err := s.CreateRoles(ctx, "alpha_user_one", "alpha_user_two"); err != nil {
		t.Fatal(err)
	}
	client := iam.NewFromConfig(s.AWSConfig())
	for _, name := range []string{"alpha_user_one", "alpha_user_two"} {
		if _, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
			t.Errorf("GetRole %s: %v", name, err)
		}
	}
	if err := s.CreateRoles(ctx, "alpha_user_one"); err == nil {
		t.Error("creating an existing role again succeeded; want the emulator's error")
	}
}
