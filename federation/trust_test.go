package federation

import (
	"testing"
)

// The readers every test of this package uses, invented for the tests.
var (
	gcpReader = GCPReader{
		ServiceAccountUniqueID: "112233445566778899001",
		ServiceAccountEmail:    "reader@analysis-prod.iam.gserviceaccount.com",
	}
	azureReader = AzureReader{
		TenantID: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ObjectID: "6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90",
		ClientID: "0f1e2d3c-4b5a-4968-8776-655443322110",
	}
)

const (
	testDataset = "new_project"
	testAccount = "123456789012"
)

// The expected policies are written out by hand, not produced by the code
// under test: a reviewer can read exactly what IAM will hold.
func TestGCPTrustPolicyIsExactlyTheNarrowShape(t *testing.T) {
	role := RoleName(testDataset, gcpReader)
	if role != "read_new_project-95447771" {
		t.Fatalf("role name = %s", role)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":["accounts.google.com"]},` +
		`"Action":["sts:AssumeRoleWithWebIdentity"],` +
		`"Condition":{"StringEquals":{` +
		`"accounts.google.com:aud":["112233445566778899001"],` +
		`"accounts.google.com:oaud":["https://mojap-exports/read_new_project-95447771"],` +
		`"accounts.google.com:sub":["112233445566778899001"]}}}]}`
	if got := gcpReader.TrustPolicy(role).JSON(); got != want {
		t.Errorf("GCP trust policy:\n got %s\nwant %s", got, want)
	}
}

func TestAzureTrustPolicyIsExactlyTheNarrowShape(t *testing.T) {
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":["arn:aws:iam::123456789012:oidc-provider/login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/v2.0"]},` +
		`"Action":["sts:AssumeRoleWithWebIdentity"],` +
		`"Condition":{"StringEquals":{` +
		`"login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/v2.0:aud":["0f1e2d3c-4b5a-4968-8776-655443322110"],` +
		`"login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/v2.0:sub":["6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90"]}}}]}`
	provider := AzureProviderARN(testAccount, azureReader.TenantID)
	if got := azureReader.TrustPolicy(provider).JSON(); got != want {
		t.Errorf("Azure trust policy:\n got %s\nwant %s", got, want)
	}
}

// At synth time the provider's ARN may be a Terraform token: it is placed as
// given, for Terraform to fill in.
func TestAzureTrustPolicyTakesTheProviderAsGiven(t *testing.T) {
	const token = "${TfToken[TOKEN.42]}"
	doc := azureReader.TrustPolicy(token)
	if got := doc.Statement[0].Principal["Federated"]; len(got) != 1 || got[0] != token {
		t.Errorf("Federated = %v; want [%s]", got, token)
	}
}

func TestAzureIssuerAndProvider(t *testing.T) {
	tenant := azureReader.TenantID
	for got, want := range map[string]string{
		AzureIssuer(tenant):                   "https://login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/v2.0",
		AzureProviderARN(testAccount, tenant): "arn:aws:iam::123456789012:oidc-provider/login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/v2.0",
		RoleARN(testAccount, "read_x-1"):      "arn:aws:iam::123456789012:role/federated-reader/read_x-1",
	} {
		if got != want {
			t.Errorf("got %s; want %s", got, want)
		}
	}
}
