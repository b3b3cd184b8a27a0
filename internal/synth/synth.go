// Package synth is the CDKTF app that main.go starts: it reads the stack's
// settings from the environment, builds the mover's zip and synthesizes the
// exports stack into Terraform JSON.
package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
	"github.com/ministryofjustice/data-engineering-exports/internal/jsiiruntime"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
)

// Environment variables that Synth reads.
const (
	// EnvOutdir is where the Terraform JSON goes; cdktf-cli sets it.
	EnvOutdir     = "CDKTF_OUTDIR"
	DefaultOutdir = "cdktf.out"
	// EnvEndpoint, set, points the AWS provider at an emulator.
	EnvEndpoint = "AWS_ENDPOINT_URL"
	// EnvRegion overrides stacks.DefaultRegion.
	EnvRegion = naming.EnvRegion
	// EnvStatePath is the local state file, relative to the repository root
	// or absolute.
	EnvStatePath     = "EXPORTS_STATE_PATH"
	DefaultStatePath = "terraform.tfstate.d/exports.tfstate"
	// EnvCloudOrganization and EnvCloudWorkspace, both set, keep the state
	// in Terraform Cloud instead.
	EnvCloudOrganization = "TF_CLOUD_ORGANIZATION"
	EnvCloudWorkspace    = "TF_WORKSPACE"
	// EnvMoverZip, set, is a mover zip to deploy as it is; otherwise Synth
	// builds MoverZipPath from MoverPackage.
	EnvMoverZip = "MOVER_ZIP"
	// EnvAlarmTopic, set, is the SNS topic ARN the failed-moves alarm
	// notifies.
	EnvAlarmTopic = "EXPORTS_ALARM_TOPIC_ARN"
)

// snsTopicARN is the form of EnvAlarmTopic: arn:<partition>:sns:<region>:<account>:<topic>.
var snsTopicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)

// Where Synth builds the mover when MOVER_ZIP is unset, relative to the
// repository root.
const (
	MoverPackage = "./functions/mover"
	MoverZipPath = "build/mover.zip"
)

// Synth loads the datasets and writes the exports stack's Terraform JSON to
// <outdir>/stacks/exports. With any invalid dataset it prints every problem,
// as validate does, and writes nothing.
func Synth(stdout, stderr io.Writer) int {
	dir := cli.DatasetsDir()
	set, err := datasets.Load(dir)
	if err != nil {
		return cli.ReportProblems(err, stdout, stderr)
	}
	imports, err := Imports(dir)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	outdir := envOr(EnvOutdir, DefaultOutdir)
	config, err := stackConfig(*set, imports, outdir)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if err := synthesize(outdir, config); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	stackDir := filepath.Join(outdir, "stacks", stacks.ID)
	fmt.Fprintf(stdout, "synthesized %d datasets (%d push, %d pull) into %s\n", set.Len(), len(set.Push), len(set.Pull), stackDir)
	if len(imports) > 0 {
		fmt.Fprintf(stdout, "with %d import blocks from %s: the plan adopts those resources instead of creating them\n", len(imports), naming.ImportsFilePath(dir))
	}
	fmt.Fprintf(stdout, "next: terraform -chdir=%s init && terraform -chdir=%s plan\n", stackDir, stackDir)
	return 0
}

// synthesize runs CDKTF. jsii reports errors from Node as panics; they come
// back here as errors.
func synthesize(outdir string, config stacks.Config) (err error) {
	defer jsiiruntime.Close()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cdktf: %v", r)
		}
	}()
	return stacks.Synth(outdir, config)
}

// Imports are the stack's import blocks: the entries of the imports file
// beside the datasets in dir (none when there is no such file), checked.
func Imports(dir string) ([]stacks.Import, error) {
	path := naming.ImportsFilePath(dir)
	entries, err := adopt.ReadImports(path)
	if err != nil {
		return nil, err
	}
	imports := make([]stacks.Import, len(entries))
	for i, e := range entries {
		imports[i] = stacks.Import{To: e.To, ID: e.ID, Source: fmt.Sprintf("%s:%d", path, e.Line)}
	}
	return imports, nil
}

// stackConfig is the stack configuration for the datasets in set and their
// imports, synthesized into outdir, from the environment: region, emulator
// endpoint, backend and mover zip (built when MOVER_ZIP is unset).
func stackConfig(set datasets.Set, imports []stacks.Import, outdir string) (stacks.Config, error) {
	alarmActions, err := alarmActions()
	if err != nil {
		return stacks.Config{}, err
	}
	root, err := repoRoot()
	if err != nil {
		return stacks.Config{}, err
	}
	backend, err := backendConfig(root, outdir)
	if err != nil {
		return stacks.Config{}, err
	}
	zipPath, err := moverZip(root)
	if err != nil {
		return stacks.Config{}, err
	}
	zip, err := os.ReadFile(zipPath)
	if err != nil {
		return stacks.Config{}, fmt.Errorf("read the mover zip: %w (set %s to a zip that exists, or unset it to build one)", err, EnvMoverZip)
	}
	return stacks.Config{
		AlarmActions: alarmActions,
		Datasets:     set,
		Region:       os.Getenv(EnvRegion),
		Endpoint:     os.Getenv(EnvEndpoint),
		Backend:      backend,
		MoverZip:     zipPath,
		MoverZipHash: pushexport.SourceCodeHash(zip),
		Imports:      imports,
	}, nil
}

// alarmActions is EnvAlarmTopic, checked, as the failed-moves alarm's
// actions.
func alarmActions() ([]string, error) {
	topic := os.Getenv(EnvAlarmTopic)
	if topic == "" {
		return nil, nil
	}
	if !snsTopicARN.MatchString(topic) {
		return nil, fmt.Errorf("%s is %q, but it must be an SNS topic ARN, arn:aws:sns:<region>:<12-digit account>:<topic name>: fix it, or unset it for an alarm that notifies nobody", EnvAlarmTopic, topic)
	}
	return []string{topic}, nil
}

// backendConfig is Terraform Cloud when both its variables are set, else
// the local state file. A relative state file is given relative to the stack
// directory, so that the JSON is the same in every clone and Terraform finds
// the state from wherever it runs the stack.
func backendConfig(root, outdir string) (stacks.Backend, error) {
	org, workspace := os.Getenv(EnvCloudOrganization), os.Getenv(EnvCloudWorkspace)
	if org != "" && workspace != "" {
		return stacks.Backend{CloudOrganization: org, CloudWorkspace: workspace}, nil
	}
	state := envOr(EnvStatePath, DefaultStatePath)
	if filepath.IsAbs(state) {
		return stacks.Backend{LocalPath: state}, nil
	}
	stackDir, err := filepath.Abs(filepath.Join(outdir, "stacks", stacks.ID))
	if err != nil {
		return stacks.Backend{}, err
	}
	rel, err := filepath.Rel(stackDir, filepath.Join(root, state))
	if err != nil {
		return stacks.Backend{}, fmt.Errorf("%s: %w", EnvStatePath, err)
	}
	return stacks.Backend{LocalPath: filepath.ToSlash(rel)}, nil
}

// moverZip is MOVER_ZIP, or the mover built from source into the build
// directory.
func moverZip(root string) (string, error) {
	if zip := os.Getenv(EnvMoverZip); zip != "" {
		return filepath.Abs(zip)
	}
	zip := filepath.Join(root, MoverZipPath)
	if err := lambdazip.Build(context.Background(), root, MoverPackage, zip); err != nil {
		return "", fmt.Errorf("build the mover: %w", err)
	}
	return zip, nil
}

// repoRoot is the nearest directory holding go.mod, from the working
// directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it: run from inside the repository")
		}
		dir = parent
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// Main runs the CDKTF app: synthesis with no arguments, as cdktf.json runs
// it. `validate` is kept as an alias of the tool's command for those used to
// `go run . validate`; everything else is the tool's (go run ./cmd/exports).
func Main(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0 || args[0] == "synth":
		return Synth(stdout, stderr)
	case args[0] == "validate":
		return cli.Validate(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "usage: go run .   (synthesize the stack into $%s, default %s)\n"+
		"%q is a command of the exports tool: go run ./cmd/exports %s\n", EnvOutdir, DefaultOutdir, args[0], strings.Join(args, " "))
	return 2
}
