package federatedreader_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"

	"github.com/ministryofjustice/data-engineering-exports/constructs/federatedreader"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

// Invented readers of new_project. Their role names were computed
// independently: printf 'new_project\ngcp\n<unique id>' | sha256sum | cut -c1-8.
var (
	google = federation.GCPReader{ServiceAccountUniqueID: "104523178690123456789", ServiceAccountEmail: "caseload-reader@probation-analysis.iam.gserviceaccount.com"}
	azure  = federation.AzureReader{TenantID: "2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d", ObjectID: "9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e", ClientID: "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"}
	// another principal of the same tenant, with another application.
	azure2 = federation.AzureReader{TenantID: azure.TenantID, ObjectID: "11111111-2222-4333-8444-555555555555", ClientID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}
)

const (
	googleRole = "read_new_project-7d25a52f"
	azureRole  = "read_new_project-326db1c4"
	azure2Role = "read_new_project-a62a63b8"
	// account is how the synthesized JSON holds the account id, which
	// Terraform reads when it plans.
	account = "${data.aws_caller_identity.caller.account_id}"
)

// synthReaders synthesizes the roles of the readers of new_project and the
// providers of their tenants.
func synthReaders(t *testing.T, readers ...federation.Reader) *synthtest.Stack {
	t.Helper()
	return synthtest.Synth(t, func(scope constructs.Construct) {
		caller := dataawscalleridentity.NewDataAwsCallerIdentity(scope, jsii.String("caller"), &dataawscalleridentity.DataAwsCallerIdentityConfig{})
		caller.OverrideLogicalId(jsii.String("caller"))
		var azureReaders []federation.AzureReader
		for _, r := range readers {
			if a, ok := r.(federation.AzureReader); ok {
				azureReaders = append(azureReaders, a)
			}
		}
		providers := federatedreader.NewTenantProviders(scope, federation.Tenants(azureReaders))
		for _, r := range readers {
			federatedreader.NewRole(scope, federatedreader.RoleProps{Dataset: "new_project", Reader: r, AccountID: caller.AccountId(), Providers: providers})
		}
	})
}

// TestTrustPoliciesExactly compares each synthesized trust policy, character
// for character, with the policy written out by hand: one statement, the
// one action, one Federated provider, one StringEquals pinning the identity.
func TestTrustPoliciesExactly(t *testing.T) {
	stack := synthReaders(t, google, azure)
	roles := stack.Resources("aws_iam_role")
	want := map[string]string{
		"pull-new_project-reader_7d25a52f": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["accounts.google.com"]},` +
			`"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{` +
			`"accounts.google.com:aud":["104523178690123456789"],` +
			`"accounts.google.com:oaud":["https://mojap-exports/read_new_project-7d25a52f"],` +
			`"accounts.google.com:sub":["104523178690123456789"]}}}]}`,
		"pull-new_project-reader_326db1c4": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":` +
			`["arn:aws:iam::` + account + `:oidc-provider/login.microsoftonline.com/2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d/v2.0"]},` +
			`"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{` +
			`"login.microsoftonline.com/2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d/v2.0:aud":["5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"],` +
			`"login.microsoftonline.com/2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d/v2.0:sub":["9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e"]}}}]}`,
	}
	if len(roles) != len(want) {
		t.Fatalf("roles %v, want one per reader", roles)
	}
	for id, trust := range want {
		role := stack.Resource(t, "aws_iam_role", id)
		if got := role["assume_role_policy"]; got != trust {
			t.Errorf("%s trust policy:\n got %s\nwant %s", id, got, trust)
		}
		// The deploy's gate reads it back as exactly this reader.
		if _, err := federation.ReadTrustPolicy(role["name"].(string), strings.ReplaceAll(trust, account, "123456789012")); err != nil {
			t.Errorf("%s: the deploy's gate would refuse the trust policy: %v", id, err)
		}
	}
}

// TestRoles: each role is named from its dataset and identity, at the
// readers' path, lasts an hour, says who it is for, and has no policy of
// its own; an Azure reader's waits for its tenant's provider.
func TestRoles(t *testing.T) {
	stack := synthReaders(t, google, azure)
	for _, tc := range []struct {
		id, name, description string
		tags                  map[string]any
		dependsOn             []any
	}{
		{"pull-new_project-reader_7d25a52f", googleRole,
			"Outside reader of s3://mojap-new-project: Google Cloud service account 104523178690123456789 (caseload-reader@probation-analysis.iam.gserviceaccount.com)",
			map[string]any{"gcp-service-account-email": "caseload-reader@probation-analysis.iam.gserviceaccount.com"}, nil},
		{"pull-new_project-reader_326db1c4", azureRole,
			"Outside reader of s3://mojap-new-project: Azure principal 9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e in tenant 2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d, tokens for application 5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f",
			nil, []any{"aws_iam_openid_connect_provider.shared-azure_tenant_2f6d3c1e_8b4a_4e5f_9a7d_1c3b5e7f9a2d"}},
	} {
		role := stack.Resource(t, "aws_iam_role", tc.id)
		if role["name"] != tc.name || role["path"] != "/federated-reader/" || role["max_session_duration"] != 3600.0 || role["description"] != tc.description {
			t.Errorf("%s: name %v path %v max_session_duration %v description %q", tc.id, role["name"], role["path"], role["max_session_duration"], role["description"])
		}
		if !reflect.DeepEqual(role["tags"], anyOrNil(tc.tags)) || !reflect.DeepEqual(role["depends_on"], anyOrNil(tc.dependsOn)) {
			t.Errorf("%s: tags %v depends_on %v; want %v and %v", tc.id, role["tags"], role["depends_on"], tc.tags, tc.dependsOn)
		}
		for _, field := range []string{"inline_policy", "managed_policy_arns", "permissions_boundary"} {
			if value, set := role[field]; set {
				t.Errorf("%s: %s = %v; a reader's only permission is the bucket policy", tc.id, field, value)
			}
		}
	}
	for _, policyType := range []string{"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy"} {
		if policies := stack.Resources(policyType); len(policies) > 0 {
			t.Errorf("%s: %v; a reader's only permission is the bucket policy", policyType, policies)
		}
	}
}

// anyOrNil is v as the synthesized JSON holds it: nil when empty.
func anyOrNil[T any](v T) any {
	if reflect.ValueOf(v).Len() == 0 {
		return nil
	}
	return v
}

// TestTenantProviders: one provider per tenant, named for it, listing the
// applications of all its readers, sorted; Google readers need none.
func TestTenantProviders(t *testing.T) {
	stack := synthReaders(t, azure2, google, azure)
	providers := stack.Resources("aws_iam_openid_connect_provider")
	if len(providers) != 1 {
		t.Fatalf("providers %v, want one for the one tenant", providers)
	}
	provider := stack.Resource(t, "aws_iam_openid_connect_provider", "shared-azure_tenant_2f6d3c1e_8b4a_4e5f_9a7d_1c3b5e7f9a2d")
	wantClients := []any{"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"}
	if provider["url"] != "https://login.microsoftonline.com/2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d/v2.0" || !reflect.DeepEqual(provider["client_id_list"], wantClients) {
		t.Errorf("provider url %v client ids %v; want the tenant's v2 issuer and %v", provider["url"], provider["client_id_list"], wantClients)
	}
	if thumbprints, set := provider["thumbprint_list"]; set {
		t.Errorf("thumbprint_list = %v; AWS trusts Entra ID's certificate authority itself", thumbprints)
	}
	for id, name := range map[string]string{"pull-new_project-reader_326db1c4": azureRole, "pull-new_project-reader_a62a63b8": azure2Role} {
		if got := stack.Resource(t, "aws_iam_role", id)["name"]; got != name {
			t.Errorf("%s is named %v, want %s", id, got, name)
		}
	}
}
