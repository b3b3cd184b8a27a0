package plansummary

import (
	"encoding/json"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Small plans built by hand, in the shape `terraform show -json` writes
// (format 1.2, Terraform 1.11), for changes the real fixtures do not make.

const awsProvider = "registry.terraform.io/hashicorp/aws"

// planOf is a plan of these resource changes, written as JSON and read back
// by ParsePlan, as the deploy reads a real one.
func planOf(t *testing.T, changes ...*tfjson.ResourceChange) *Plan {
	t.Helper()
	return driftedPlanOf(t, nil, changes...)
}

// planWithPrior is planOf with a prior state holding the resources prior.
func planWithPrior(t *testing.T, prior []*tfjson.StateResource, changes ...*tfjson.ResourceChange) *Plan {
	t.Helper()
	p := driftedPlanOf(t, nil, changes...)
	if prior != nil {
		p.PriorState = &tfjson.State{FormatVersion: "1.0", TerraformVersion: "1.11.4", Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: prior}}}
	}
	return p
}

// driftedPlanOf is a plan of these resource changes whose refresh found
// drift: resources changed outside Terraform, each a change from what
// Terraform last applied (before) to what is there now (after, nil when
// deleted), with actions update or delete.
func driftedPlanOf(t *testing.T, drift []*tfjson.ResourceChange, changes ...*tfjson.ResourceChange) *Plan {
	t.Helper()
	complete := true
	data, err := json.Marshal(&tfjson.Plan{FormatVersion: "1.2", TerraformVersion: "1.11.4", Complete: &complete,
		ResourceChanges: changes, ResourceDrift: drift})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePlan(data)
	if err != nil {
		t.Fatalf("ParsePlan of a hand-built plan: %v\n%s", err, data)
	}
	return p
}

// resourceChange is one managed resource's change; before or after is nil
// where the resource does not exist.
func resourceChange(typ, name string, actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
	c := &tfjson.Change{Actions: actions, AfterUnknown: map[string]any{}}
	// Terraform writes null, and false for its sensitivity, on a side where
	// the resource does not exist.
	c.BeforeSensitive, c.AfterSensitive = false, false
	if before != nil {
		c.Before, c.BeforeSensitive = before, map[string]any{}
	}
	if after != nil {
		c.After, c.AfterSensitive = after, map[string]any{}
	}
	return &tfjson.ResourceChange{Address: typ + "." + name, Mode: tfjson.ManagedResourceMode, Type: typ, Name: name, ProviderName: awsProvider, Change: c}
}

// unknownAfter marks attributes as known only after apply: Terraform leaves
// them out of after and sets them in after_unknown.
func unknownAfter(rc *tfjson.ResourceChange, attributes ...string) *tfjson.ResourceChange {
	after := with(rc.Change.After.(map[string]any), nil)
	afterUnknown := rc.Change.AfterUnknown.(map[string]any)
	for _, a := range attributes {
		delete(after, a)
		afterUnknown[a] = true
	}
	rc.Change.After = after
	return rc
}

// imported marks a change as importing the existing object id.
func imported(rc *tfjson.ResourceChange, id string) *tfjson.ResourceChange {
	rc.Change.Importing = &tfjson.Importing{ID: id}
	return rc
}

// The actions of a change.
var (
	actNoOp    = tfjson.Actions{tfjson.ActionNoop}
	actCreate  = tfjson.Actions{tfjson.ActionCreate}
	actUpdate  = tfjson.Actions{tfjson.ActionUpdate}
	actDelete  = tfjson.Actions{tfjson.ActionDelete}
	actReplace = tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}
)

// with is a copy of values with some attributes set.
func with(values map[string]any, set map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		out[k] = v
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

func bucketValues(bucket string) map[string]any {
	return map[string]any{"id": bucket, "bucket": bucket, "arn": "arn:aws:s3:::" + bucket, "force_destroy": false, "object_lock_enabled": false}
}

// bucketPolicyValues is a pull bucket's policy that lets principals read.
func bucketPolicyValues(bucket string, principals ...string) map[string]any {
	readers, _ := json.Marshal(principals) // a list of strings always encodes
	return map[string]any{"id": bucket, "bucket": bucket, "policy": `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow",` +
		`"Principal":{"AWS":` + string(readers) + `},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`}
}

// pullUserPolicyValues is a user's inline policy for one pull bucket.
func pullUserPolicyValues(role, dataset string) map[string]any {
	bucket := naming.PullBucket(dataset)
	return map[string]any{"id": role + ":" + naming.UserPullPolicy(dataset), "name": naming.UserPullPolicy(dataset), "role": role,
		"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],` +
			`"Resource":"arn:aws:s3:::` + bucket + `/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `"}]}`}
}

func publicAccessBlockValues(bucket string) map[string]any {
	return map[string]any{"id": bucket, "bucket": bucket, "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}
}

func versioningValues(bucket, status string) map[string]any {
	return map[string]any{"id": bucket, "bucket": bucket, "expected_bucket_owner": "", "mfa": nil,
		"versioning_configuration": []any{map[string]any{"mfa_delete": "", "status": status}}}
}

func moverRoleValues(dataset string) map[string]any {
	name := naming.MoverName(dataset)
	return map[string]any{"id": name, "name": name, "path": naming.MoverRolePath, "unique_id": "AROAEXAMPLE" + dataset,
		"arn":                "arn:aws:iam::123456789012:role" + naming.MoverRolePath + name,
		"assume_role_policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
}

// moverFunctionValues is a mover function delivering to recipient, owned
// by account ("" for a mover deployed before accounts were pinned).
func moverFunctionValues(dataset, recipient, account string) map[string]any {
	variables := map[string]any{naming.EnvDestinationBucket: recipient, naming.EnvKeepFiles: "false", naming.EnvDatasetName: dataset}
	if account != "" {
		variables[naming.EnvDestinationAccount] = account
		variables[naming.EnvSourceAccount] = "123456789012"
	}
	return map[string]any{"function_name": naming.MoverName(dataset), "runtime": "provided.al2023", "timeout": 900.0,
		"environment": []any{map[string]any{"variables": variables}}}
}

// priorResource is a managed resource of a plan's prior state.
func priorResource(typ, name string, values map[string]any) *tfjson.StateResource {
	return &tfjson.StateResource{Address: typ + "." + name, Mode: tfjson.ManagedResourceMode, Type: typ, Name: name, ProviderName: awsProvider, AttributeValues: values}
}

// pushID and pullID are the logical ids of a dataset's parts.
func pushID(dataset, part string) string {
	return naming.DatasetLogicalID(naming.KindPush, dataset, part)
}
func pullID(dataset, part string) string {
	return naming.DatasetLogicalID(naming.KindPull, dataset, part)
}

// testAccount is the account hand-built plans deploy to.
const testAccount = "123456789012"

// Invented federated readers.
var (
	googleReader = federation.GCPReader{ServiceAccountUniqueID: "112233445566778899001", ServiceAccountEmail: "reader@analysis-prod.iam.gserviceaccount.com"}
	azureReader  = federation.AzureReader{TenantID: "3fa85f64-5717-4562-b3fc-2c963f66afa6", ObjectID: "6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90", ClientID: "0f1e2d3c-4b5a-4968-8776-655443322110"}
)

// readerID is the logical id of a reader's role in a pull dataset.
func readerID(dataset string, r federation.Reader) string {
	return pullID(dataset, naming.FederatedReaderPart(dataset, r.Cloud(), r.Identity()))
}

// readerRoleValues are a reader's role as the stack writes it.
func readerRoleValues(dataset string, r federation.Reader) map[string]any {
	name := federation.RoleName(dataset, r)
	values := map[string]any{"name": name, "path": naming.FederatedReaderRolePath, "max_session_duration": float64(federation.MaxSessionSeconds),
		"tags": map[string]any{}}
	switch r := r.(type) {
	case federation.GCPReader:
		values["assume_role_policy"] = r.TrustPolicy(name).JSON()
		values["tags"] = map[string]any{naming.ReaderEmailTag: r.ServiceAccountEmail}
	case federation.AzureReader:
		values["assume_role_policy"] = r.TrustPolicy(federation.AzureProviderARN(testAccount, r.TenantID)).JSON()
	}
	return values
}
