package motoserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

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

// TestLoadManagedPolicies: moto knows AWS managed policies only when asked,
// and then a role can have one attached.
func TestLoadManagedPolicies(t *testing.T) {
	const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	ctx := context.Background()
	for _, load := range []bool{false, true} {
		s := StartTWith(t, Options{LoadManagedPolicies: load})
		client := iam.NewFromConfig(s.AWSConfig())
		_, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(basicExecution)})
		if known := err == nil; known != load {
			t.Errorf("LoadManagedPolicies %v: GetPolicy %s: %v", load, basicExecution, err)
		}
		if !load {
			continue
		}
		if err := s.CreateRoles(ctx, "export_x-move"); err != nil {
			t.Fatal(err)
		}
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("export_x-move"), PolicyArn: aws.String(basicExecution)}); err != nil {
			t.Errorf("attach %s: %v", basicExecution, err)
		}
	}
}
