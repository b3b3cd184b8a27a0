package motoserver

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// LambdaWithoutDocker switches the emulator's Lambda to the backend that
// runs no code. By default moto runs a function in Docker; where there is
// none (as here), every invocation of an existing function answers with
// FunctionError "Handled" and the payload "error running docker: ...", and
// a missing function with ResourceNotFoundException. Without Docker,
// every invocation succeeds (status 200, no FunctionError) and answers
// with its own payload, whatever the function name, even one that does not
// exist.
//
// The two backends keep separate functions: create functions after the
// switch for calls such as ListFunctions to see them.
func (s *Server) LambdaWithoutDocker(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+"/moto-api/config",
		strings.NewReader(`{"lambda": {"use_docker": false}}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("configure moto's Lambda: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("configure moto's Lambda: %s", resp.Status)
	}
	return nil
}

// CreateFunction creates a Lambda function standing in for a deployed
// one, with the environment env, and its role (of the same name) if that
// does not exist yet. Its code is a placeholder: the emulator never runs
// it (see LambdaWithoutDocker).
func (s *Server) CreateFunction(ctx context.Context, name string, env map[string]string) error {
	roles := iam.NewFromConfig(s.AWSConfig())
	var exists *iamtypes.EntityAlreadyExistsException
	if _, err := roles.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}); err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create role %s: %w", name, err)
	}
	var code bytes.Buffer
	archive := zip.NewWriter(&code)
	if _, err := archive.Create("bootstrap"); err != nil {
		return err
	}
	if err := archive.Close(); err != nil {
		return err
	}
	if _, err := lambda.NewFromConfig(s.AWSConfig()).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Role:         aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s", AccountID, name)),
		Runtime:      lambdatypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		Environment:  &lambdatypes.Environment{Variables: env},
	}); err != nil {
		return fmt.Errorf("create function %s: %w", name, err)
	}
	return nil
}
