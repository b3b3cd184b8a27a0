// Package stacks wires the constructs into the one Terraform stack of the
// exports: the provider, the backend, the access log bucket, the shared
// export bucket, one PushExport per push dataset, one OIDC provider per
// Entra tenant of the federated readers, one PullExport per pull dataset,
// the users' access and the outputs. It decides nothing a construct could.
package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/accesslogbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/exportbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/federatedreader"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pullexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/useraccess"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// ID is the id of the exports stack: its Terraform JSON is
// <outdir>/stacks/<ID>/cdk.tf.json.
const ID = "exports"

// DefaultRegion is where the Analytical Platform keeps its data.
const DefaultRegion = naming.DefaultRegion

// AWSProviderVersion is the provider requirement. The prebuilt bindings pin
// the exact version they were generated from; any 5.x from 5.100 on works.
const AWSProviderVersion = "~> 5.100"

// Output names: what operators and tools read with `terraform output`.
const (
	// OutputMoverRoleARNs maps each push dataset to its mover role ARN,
	// which the recipient grants s3:PutObject and s3:PutObjectAcl in their
	// bucket policy.
	OutputMoverRoleARNs = "mover_role_arns"
	// OutputPullBucketNames maps each pull dataset to its bucket name.
	OutputPullBucketNames = "pull_bucket_names"
	// OutputFailedMovesQueueURL is where failed moves wait to be re-driven.
	OutputFailedMovesQueueURL = "failed_moves_queue_url"
	// OutputFederatedReaders maps the role name of each federated reader to
	// what the reader configures: its dataset, the role ARN, the audience
	// its tokens are for, and who it is. Only a stack with federated
	// readers has it.
	OutputFederatedReaders = "federated_readers"
)

// Tags go on every resource through the provider's default tags, following
// the Ministry of Justice tagging standard.
var Tags = map[string]string{
	"business-unit":    "Platforms",
	"application":      "data-engineering-exports",
	"owner":            "Data Engineering: dataengineering@digital.justice.gov.uk",
	"environment-name": "production",
	"is-production":    "true",
}

// Config is everything the stack is made from.
type Config struct {
	Datasets datasets.Set
	// Region is the AWS region, DefaultRegion when empty.
	Region string
	// Endpoint, when set, sends every AWS call to an emulator such as
	// moto_server instead of AWS.
	Endpoint string
	Backend  Backend
	// MoverZip is the path of the mover's deployment package; it is copied
	// into the stack directory.
	MoverZip string
	// MoverZipHash is pushexport.SourceCodeHash of the zip.
	MoverZipHash string
	// AlarmActions are told when a failed move waits for an operator
	// (SNS topic ARNs); none is fine.
	AlarmActions []string
	// Imports adopt resources that already exist, such as the earlier
	// tool's, into the stack instead of creating them.
	Imports []Import
}

// Import adopts one resource that already exists: a Terraform import
// block, which imports it into the stack's resource at To during the plan
// and apply, and does nothing once the resource is in the state.
type Import struct {
	// To is the address of the stack's resource, <type>.<logical id>.
	To string
	// ID is the provider's import id of the existing resource.
	ID string
	// Source says where the entry was written, for messages:
	// "datasets/imports.yaml:12".
	Source string
}

// Backend is where Terraform keeps the state: Terraform Cloud when
// CloudOrganization is set, else a local file.
type Backend struct {
	// LocalPath is the state file, relative to the stack directory.
	LocalPath         string
	CloudOrganization string
	CloudWorkspace    string
}

// Synth writes the exports stack of config as Terraform JSON to
// <outdir>/stacks/<ID>. When an import names a resource the stack does not
// have, it removes that directory instead, so that no earlier synthesis is
// planned in its place. jsii reports errors from Node as panics.
func Synth(outdir string, config Config) error {
	app := cdktf.NewApp(&cdktf.AppConfig{
		Outdir: jsii.String(outdir),
		// Stack traces would put this machine's paths into the JSON.
		StackTraces: jsii.Bool(false),
	})
	if _, err := NewExportsStack(app, ID, config); err != nil {
		return errors.Join(err, os.RemoveAll(filepath.Join(outdir, "stacks", ID)))
	}
	app.Synth()
	return nil
}

// NewExportsStack creates the stack. Its error says which imports name a
// resource the stack does not have.
func NewExportsStack(scope constructs.Construct, id string, config Config) (cdktf.TerraformStack, error) {
	stack := cdktf.NewTerraformStack(scope, &id)
	newProvider(stack, config)
	newBackend(stack, config.Backend)

	account := dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("caller_identity"), &dataawscalleridentity.DataAwsCallerIdentityConfig{})
	account.OverrideLogicalId(jsii.String(naming.SharedLogicalID(naming.PartCallerIdentity)))

	// Every bucket of the stack sends its server access logs to the log
	// bucket, which lets exactly these buckets write there.
	logged := []string{naming.ExportBucket}
	for _, pull := range config.Datasets.Pull {
		logged = append(logged, pull.BucketName())
	}
	accessLogs := accesslogbucket.New(stack, "access_log_bucket", accesslogbucket.Config{
		Name: naming.AccessLogBucket, AccountID: account.AccountId(), Sources: logged,
	}).AccessLogs()

	exports := exportbucket.New(stack, "export_bucket", exportbucket.Config{
		Name: naming.ExportBucket, AccountID: account.AccountId(), AccessLogs: accessLogs,
		FailedMovesQueue: naming.FailedMovesQueue, AlarmActions: config.AlarmActions,
	})

	moverRoleARNs := map[string]*string{}
	var targets []exportbucket.NotificationTarget
	var code pushexport.Code
	if len(config.Datasets.Push) > 0 {
		// One copy of the zip in the stack directory, for every mover.
		asset := cdktf.NewTerraformAsset(stack, jsii.String("mover_zip"), &cdktf.TerraformAssetConfig{
			Path: jsii.String(config.MoverZip),
			Type: cdktf.AssetType_FILE,
		})
		code = pushexport.Code{Path: asset.Path(), SHA256: config.MoverZipHash}
	}
	for _, push := range config.Datasets.Push {
		mover := pushexport.NewPushExport(stack, naming.DatasetID(datasets.KindPush, push.Name), &pushexport.PushExportProps{
			Dataset:             push,
			ExportBucket:        naming.ExportBucket,
			AccountID:           account.AccountId(),
			FailedMovesQueueARN: exports.FailedMovesQueue.Arn(),
			Code:                code,
		})
		moverRoleARNs[push.Name] = mover.Role().Arn()
		targets = append(targets, mover.NotificationTarget())
	}
	exports.AddNotification(targets)

	// One OIDC provider per Entra tenant, shared by every dataset's readers.
	var azureReaders []federation.AzureReader
	for _, pull := range config.Datasets.Pull {
		azureReaders = append(azureReaders, pull.AzureReaders...)
	}
	azureProviders := federatedreader.NewTenantProviders(stack, federation.Tenants(azureReaders))

	pullBucketNames := map[string]*string{}
	federatedReaders := map[string]map[string]*string{}
	for _, pull := range config.Datasets.Pull {
		export := pullexport.NewPullExport(stack, naming.DatasetID(datasets.KindPull, pull.Name), &pullexport.PullExportProps{
			Dataset:        pull,
			AccountID:      account.AccountId(),
			AzureProviders: azureProviders,
			AccessLogs:     accessLogs,
		})
		pullBucketNames[pull.Name] = export.Bucket().Bucket()
		for _, reader := range export.Readers() {
			role := federation.RoleName(pull.Name, reader)
			federatedReaders[role] = map[string]*string{
				"dataset":  jsii.String(pull.Name),
				"role_arn": reader.Role.Arn(),
				"audience": jsii.String(reader.Audience(role)),
				"identity": jsii.String(reader.String()),
			}
		}
	}

	useraccess.New(stack, "users", useraccess.Config{
		ExportBucket: naming.ExportBucket,
		PushByUser:   config.Datasets.PushByUser(),
		Pull:         config.Datasets.Pull,
		DatasetsDir:  naming.DatasetsDir,
	})

	newOutput(stack, OutputMoverRoleARNs, "Mover role ARN of each push dataset: the recipient's bucket policy names it (`go run ./cmd/exports recipient-policy <dataset>` prints the whole policy).", moverRoleARNs)
	newOutput(stack, OutputPullBucketNames, "Bucket name of each pull dataset.", pullBucketNames)
	newOutput(stack, OutputFailedMovesQueueURL, "Queue of failed moves: `go run ./cmd/exports redrive` re-drives them (docs/failed-moves-runbook.md).", exports.FailedMovesQueue.Url())
	if len(federatedReaders) > 0 {
		newOutput(stack, OutputFederatedReaders, "Each federated reader's role: the reader assumes role_arn with a token of its own cloud issued for audience (`exports reader-setup <dataset>` prints how).", federatedReaders)
	}
	return stack, addImports(stack, config.Imports)
}

// addImports writes one plain Terraform import block per import, as the
// top-level "import" array. CDKTF's own TerraformResource.ImportFrom would
// write the same blocks, but it also makes synthesis run `terraform
// version` once per imported resource, so that synthesis would need
// Terraform and take seconds more; an override needs neither.
func addImports(stack cdktf.TerraformStack, imports []Import) error {
	if len(imports) == 0 {
		return nil
	}
	addresses := resourceAddresses(stack)
	blocks := make([]map[string]*string, len(imports))
	var problems []string
	for i, imp := range imports {
		counted, found := addresses[imp.To]
		if !found {
			problems = append(problems, fmt.Sprintf("%s: to: %s is not a resource of the stack, so there is nothing to import %q into "+
				"(is its dataset file gone, or renamed?): run `go run ./cmd/exports adopt` again, or remove the entry", imp.Source, imp.To, imp.ID))
		}
		to := imp.To
		if counted {
			// A user's policy exists only while the user's role does
			// (count 0 or 1): the one instance there is to import into.
			to += "[0]"
		}
		blocks[i] = map[string]*string{"to": jsii.String(to), "id": jsii.String(imp.ID)}
	}
	if len(problems) > 0 {
		return fmt.Errorf("imports:\n  %s", strings.Join(problems, "\n  "))
	}
	stack.AddOverride(jsii.String("import"), blocks)
	return nil
}

// resourceAddresses is the address, <type>.<logical id>, of every resource
// in the stack, and whether the resource has a count.
func resourceAddresses(stack cdktf.TerraformStack) map[string]bool {
	addresses := map[string]bool{}
	for _, node := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if !*cdktf.TerraformResource_IsTerraformResource(node) {
			continue
		}
		var resource cdktf.TerraformResource
		jsii.UnsafeCast(node, &resource)
		addresses[*resource.TerraformResourceType()+"."+*resource.FriendlyUniqueId()] = resource.Count() != nil
	}
	return addresses
}

func newOutput(stack cdktf.TerraformStack, name, description string, value any) {
	output := cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{
		Value:       value,
		Description: jsii.String(description),
	})
	output.OverrideLogicalId(jsii.String(name))
}

func newProvider(stack cdktf.TerraformStack, config Config) {
	region := config.Region
	if region == "" {
		region = DefaultRegion
	}
	tags := map[string]*string{}
	for k, v := range Tags {
		tags[k] = jsii.String(v)
	}
	providerConfig := &provider.AwsProviderConfig{
		Region:      jsii.String(region),
		DefaultTags: []*provider.AwsProviderDefaultTags{{Tags: &tags}},
	}
	if config.Endpoint != "" {
		// Every service the stack uses, sent to the emulator; credentials
		// still come from the environment, never from this file.
		providerConfig.Endpoints = []*provider.AwsProviderEndpoints{emulatorEndpoints(config.Endpoint)}
		providerConfig.S3UsePathStyle = true
		providerConfig.SkipCredentialsValidation = true
		providerConfig.SkipMetadataApiCheck = jsii.String("true")
		providerConfig.SkipRegionValidation = true
	}
	provider.NewAwsProvider(stack, jsii.String("aws"), providerConfig)
	stack.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(AWSProviderVersion))
}

// serviceEndpoints names, for every Terraform resource and data source type
// the stack uses, the AWS provider endpoint that serves it. An entry ending
// in "_" is a prefix of types. With an emulator, the provider sends exactly
// these endpoints to it: a type no entry covers would go to AWS itself, so
// a test fails on it until its endpoint is listed here.
var serviceEndpoints = []struct{ types, endpoint string }{
	{"aws_caller_identity", "sts"},
	{"aws_cloudwatch_log_", "logs"},
	{"aws_cloudwatch_metric_alarm", "cloudwatch"},
	{"aws_iam_", "iam"},
	{"aws_lambda_", "lambda"},
	{"aws_s3_", "s3"},
	{"aws_sqs_", "sqs"},
}

// endpointFor is the provider endpoint that serves a resource or data
// source type, and whether serviceEndpoints lists it.
func endpointFor(terraformType string) (string, bool) {
	for _, service := range serviceEndpoints {
		if terraformType == service.types || strings.HasSuffix(service.types, "_") && strings.HasPrefix(terraformType, service.types) {
			return service.endpoint, true
		}
	}
	return "", false
}

// emulatorEndpoints sends every endpoint in serviceEndpoints to url. They
// are named by the JSON names of the provider binding's endpoint fields,
// which for the one-word services here are Terraform's names too; a name
// that is none of them panics, as jsii does on invalid configuration.
func emulatorEndpoints(url string) *provider.AwsProviderEndpoints {
	names := map[string]string{}
	for _, service := range serviceEndpoints {
		names[service.endpoint] = url
	}
	data, _ := json.Marshal(names) // a map of strings always marshals
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var endpoints provider.AwsProviderEndpoints
	if err := decoder.Decode(&endpoints); err != nil {
		panic(fmt.Errorf("stacks: serviceEndpoints names an endpoint the AWS provider does not have: %w", err))
	}
	return &endpoints
}

func newBackend(stack cdktf.TerraformStack, backend Backend) {
	if backend.CloudOrganization != "" {
		cdktf.NewCloudBackend(stack, &cdktf.CloudBackendConfig{
			Organization: jsii.String(backend.CloudOrganization),
			Workspaces:   cdktf.NewNamedCloudWorkspace(jsii.String(backend.CloudWorkspace), nil),
		})
		return
	}
	cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(backend.LocalPath)})
}
