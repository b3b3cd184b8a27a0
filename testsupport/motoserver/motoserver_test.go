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
