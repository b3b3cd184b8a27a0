// Package lambdazip builds a Go Lambda function for the provided.al2023
// runtime and packages it as a zip that is byte-for-byte the same for the same
// source and toolchain, so Terraform sees a change only when the code changes.
package lambdazip

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Arch is the Lambda architecture we build for. x86_64 because the binary
// that ships is then the very binary the tests run on this machine and CI,
// and the one operators run for recovery; the mover waits on S3 copies, so
// arm64's lower price per GB-second saves next to nothing.
const (
	Arch   = "x86_64"
	goArch = "amd64"
)

// BinaryName is the executable the provided.al2023 runtime starts.
const BinaryName = "bootstrap"

// zipTime is the fixed modification time of the zip entry (the earliest a
// zip can record), so that building again gives the same bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// BuildBinary compiles the main package pkg (a path such as
// "./functions/mover", relative to moduleDir) into outPath for Lambda:
// static, stripped, without RPC support and without paths or build ids that
// differ between machines.
func BuildBinary(ctx context.Context, moduleDir, pkg, outPath string) error {
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w -buildid=",
		"-o", outPath,
		pkg,
	)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goArch, "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// Build compiles pkg and writes outZip holding it as "bootstrap". outZip is
// replaced only when its content changes, so its modification time tells
// when the code last changed.
func Build(ctx context.Context, moduleDir, pkg, outZip string) error {
	tmp, err := os.MkdirTemp("", "lambdazip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	binary := filepath.Join(tmp, BinaryName)
	if err := BuildBinary(ctx, moduleDir, pkg, binary); err != nil {
		return err
	}
	data, err := Zip(binary)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(outZip); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(outZip), 0o755); err != nil {
		return err
	}
	part := outZip + ".tmp"
	if err := os.WriteFile(part, data, 0o644); err != nil {
		return err
	}
	return os.Rename(part, outZip)
}

// Zip returns a deterministic zip archive holding the file at binary as an
// executable named "bootstrap".
func Zip(binary string) ([]byte, error) {
	f, err := os.Open(binary)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	header := &zip.FileHeader{Name: BinaryName, Method: zip.Deflate, Modified: zipTime}
	header.SetMode(0o755)
	entry, err := w.CreateHeader(header)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(entry, f); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
