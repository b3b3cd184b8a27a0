// Package motoserver starts a private moto_server (the AWS emulator) on a free
// 127.0.0.1 port, for tests and tools that exercise real AWS SDK and Terraform
// calls without an AWS account.
package motoserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Region is the region every emulator client uses.
const Region = "eu-west-1"

// AccountID is the account moto answers for.
const AccountID = "123456789012"

// Server is a running moto_server.
type Server struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:40123.
	Endpoint string
	cmd      *exec.Cmd
	done     chan error
}

// Options change how the emulator starts.
type Options struct {
	// LoadManagedPolicies makes IAM know the AWS managed policies, such as
	// AWSLambdaBasicExecutionRole, so that they can be attached to roles.
	// moto loads them only when asked (MOTO_IAM_LOAD_MANAGED_POLICIES).
	LoadManagedPolicies bool
}

// Start runs moto_server on a free loopback port and waits until it answers.
// The log goes to logPath (or is discarded when empty).
func Start(ctx context.Context, logPath string) (*Server, error) {
	return StartWith(ctx, logPath, Options{})
}

// StartWith is Start with options.
func StartWith(ctx context.Context, logPath string, options Options) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New("moto_server is not on PATH: install moto with its server extra (pip install 'moto[server]')")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if options.LoadManagedPolicies {
		cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if logPath != "" {
		logFile, err := os.Create(logPath)
		if err != nil {
			return nil, err
		}
		defer logFile.Close()
		cmd.Stdout, cmd.Stderr = logFile, logFile
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// EnvLogDir names a directory where StartT keeps each test's moto_server
// log (<test name>.log), to read the emulator's side of a failure.
const EnvLogDir = "MOTOSERVER_LOG_DIR"

// StartT starts a server for one test and stops it when the test ends. A
// missing moto_server fails the test: it is part of the toolchain.
func StartT(t testing.TB) *Server {
	t.Helper()
	return StartTWith(t, Options{})
}

// StartTWith is StartT with options.
func StartTWith(t testing.TB, options Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	logPath := ""
	if dir := os.Getenv(EnvLogDir); dir != "" {
		logPath = filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".log")
	}
	s, err := StartWith(ctx, logPath, options)
	if err != nil {
		t.Fatalf("moto_server: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.Endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case err := <-s.done:
			return fmt.Errorf("moto_server exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("moto_server did not answer on %s: %w", s.Endpoint, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop ends the server and any child it started.
func (s *Server) Stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// CreateRoles creates IAM roles with the given names, standing in for roles
// that exist in the real account before the stack does: the Analytical
// Platform's alpha_user_* roles.
func (s *Server) CreateRoles(ctx context.Context, names ...string) error {
	client := iam.NewFromConfig(s.AWSConfig())
	for _, name := range names {
		if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		}); err != nil {
			return fmt.Errorf("create role %s: %w", name, err)
		}
	}
	return nil
}

// Env is the environment that points the AWS SDK, the AWS CLI, Terraform's
// AWS provider and the mover at the emulator, with dummy credentials.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// AWSConfig is an SDK configuration for the emulator. S3 clients made from it
// need path-style addressing (s3.Options.UsePathStyle).
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
