// Package federatedreader lets outside readers on Google Cloud and Azure
// read a pull dataset without AWS keys: a role per reader that trusts that
// one identity and nothing else (package federation writes its trust
// policy), and, shared by every dataset, one IAM OIDC provider per Entra
// tenant. Google needs no provider: AWS trusts accounts.google.com itself.
//
// A reader's role has no policy of its own, inline or attached: its only
// permission is the pull bucket's policy, which names it beside the roles
// in pull_arns (pullexport). Every ARN in a trust policy is built from the
// account id, so that the trust is known when Terraform plans, where the
// deploy's gate and the plan summary read it.
package federatedreader

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamopenidconnectprovider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// TenantProviders are the IAM OIDC providers of the Entra tenants that Azure
// readers come from, by tenant id.
type TenantProviders map[string]iamopenidconnectprovider.IamOpenidConnectProvider

// NewTenantProviders creates in scope one OIDC provider per tenant, with a
// shared logical id: its URL is the tenant's v2 issuer (v1 tokens carry
// whatever audience was asked for), its client ids the applications of the
// tenant's readers in every dataset, sorted. It has no thumbprint: AWS
// trusts the certificate authority of Entra ID's keys itself.
func NewTenantProviders(scope constructs.Construct, tenants []federation.Tenant) TenantProviders {
	providers := TenantProviders{}
	for _, tenant := range tenants {
		part := naming.AzureTenantProviderPart(tenant.ID)
		provider := iamopenidconnectprovider.NewIamOpenidConnectProvider(scope, jsii.String(part), &iamopenidconnectprovider.IamOpenidConnectProviderConfig{
			Url:          jsii.String(federation.AzureIssuer(tenant.ID)),
			ClientIdList: jsii.Strings(tenant.ClientIDs...),
		})
		provider.OverrideLogicalId(jsii.String(naming.SharedLogicalID(part)))
		providers[tenant.ID] = provider
	}
	return providers
}

// RoleProps is one reader of one pull dataset.
type RoleProps struct {
	Dataset string
	Reader  federation.Reader
	// AccountID is the account the stack deploys to (a token): an Azure
	// reader's trust names its tenant's provider by an ARN built from it.
	AccountID *string
	// Providers must hold the provider of an Azure reader's tenant; the
	// role waits for it.
	Providers TenantProviders
}

// NewRole creates the role of one reader in scope (the dataset's
// PullExport), with the logical id of a reader of the dataset.
func NewRole(scope constructs.Construct, props RoleProps) iamrole.IamRole {
	reader, name := props.Reader, federation.RoleName(props.Dataset, props.Reader)
	part := naming.FederatedReaderPart(props.Dataset, reader.Cloud(), reader.Identity())
	config := &iamrole.IamRoleConfig{
		Name:               jsii.String(name),
		Path:               jsii.String(naming.FederatedReaderRolePath),
		Description:        jsii.String(fmt.Sprintf("Outside reader of s3://%s: %s", naming.PullBucket(props.Dataset), reader)),
		AssumeRolePolicy:   jsii.String(TrustPolicy(props.Dataset, reader, *props.AccountID).JSON()),
		MaxSessionDuration: jsii.Number(federation.MaxSessionSeconds),
	}
	switch r := reader.(type) {
	case federation.GCPReader:
		if r.ServiceAccountEmail != "" {
			config.Tags = &map[string]*string{naming.ReaderEmailTag: jsii.String(r.ServiceAccountEmail)}
		}
	case federation.AzureReader:
		provider, ok := props.Providers[r.TenantID]
		if !ok {
			panic(fmt.Sprintf("federatedreader: no OIDC provider for tenant %s, whose reader %s has the role %s: give NewTenantProviders every tenant", r.TenantID, r, name))
		}
		// The trust names the provider by an ARN built from the account
		// id, which Terraform does not know to wait for.
		config.DependsOn = &[]cdktf.ITerraformDependable{provider}
	}
	role := iamrole.NewIamRole(scope, jsii.String(part), config)
	role.OverrideLogicalId(jsii.String(naming.DatasetLogicalID(naming.KindPull, props.Dataset, part)))
	return role
}

// TrustPolicy is the trust of a reader's role for a pull dataset in an
// account: for Google, accounts.google.com; for Azure, the tenant's provider
// in that account.
func TrustPolicy(dataset string, reader federation.Reader, accountID string) iampolicy.Document {
	switch r := reader.(type) {
	case federation.GCPReader:
		return r.TrustPolicy(federation.RoleName(dataset, r))
	case federation.AzureReader:
		return r.TrustPolicy(federation.AzureProviderARN(accountID, r.TenantID))
	}
	panic(fmt.Sprintf("federatedreader: a reader of an unknown cloud: %T", reader))
}

// RoleARN is the ARN of a reader's role for a pull dataset in an account,
// built rather than read from the role, so that a bucket policy naming it
// is known when Terraform plans.
func RoleARN(dataset string, reader federation.Reader, accountID string) string {
	return federation.RoleARN(accountID, federation.RoleName(dataset, reader))
}
