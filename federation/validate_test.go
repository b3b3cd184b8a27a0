package federation

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The field names the messages use are the names the dataset files use.
func TestFieldNamesAreTheJSONTags(t *testing.T) {
	tags := map[string]bool{}
	for _, typ := range []reflect.Type{reflect.TypeFor[GCPReader](), reflect.TypeFor[AzureReader]()} {
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			tags[name] = true
		}
	}
	for _, field := range []string{FieldUniqueID, FieldEmail, FieldTenantID, FieldObjectID, FieldClientID} {
		if !tags[field] {
			t.Errorf("%s is no reader field's json tag (tags: %v)", field, tags)
		}
	}
	if len(tags) != 5 {
		t.Errorf("readers have %d fields; the messages know 5", len(tags))
	}
}

// check runs a field check over cases of input and a fragment of the message
// it must give ("" for none).
func check(t *testing.T, name string, problem func(string) string, cases map[string]string) {
	t.Helper()
	for input, want := range cases {
		got := problem(input)
		switch {
		case want == "" && got != "":
			t.Errorf("%s(%q) = %q; want no problem", name, input, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("%s(%q) = %q; want it to say %q", name, input, got, want)
		}
	}
}

func TestUniqueIDProblem(t *testing.T) {
	check(t, "UniqueIDProblem", UniqueIDProblem, map[string]string{
		"112233445566778899001": "",
		"":                      "is empty: write the service account's unique id, 21 digits in quotes",
		"reader@analysis-prod.iam.gserviceaccount.com": "is an email address, but the role trusts the service account's unique id",
		"1.1223344556677889e+20":                       "is 1.1223344556677889e+20, a number rounded",
		"1.12233445566779E+20":                         "a number rounded",
		"112233445566778000000":                        "ends in six zeros",
		"11223344556677889900":                         "has 20 digits, but a service account's unique id has 21",
		"1122334455667788990012":                       "has 22 digits",
		"123456789012":                                 "has 12 digits, like a project number",
		"analysis-prod":                                "is a name, not the service account's unique id",
		"reader":                                       "is a name",
		"projects/analysis-prod/serviceAccounts/reader@analysis-prod.iam.gserviceaccount.com": "is an email address",
		"projects/analysis-prod/serviceAccounts/112233445566778899001":                        "is a resource name",
	})
	// Every refusal says how to find the real id.
	for _, bad := range []string{"", "reader", "123456789012", "1.1e+20", "112233445566778000000"} {
		if got := UniqueIDProblem(bad); !strings.Contains(got, "gcloud iam service-accounts describe") {
			t.Errorf("UniqueIDProblem(%q) = %q does not say how to find the id", bad, got)
		}
	}
}

func TestUnquotedUniqueIDProblemSaysToQuote(t *testing.T) {
	want := `is written without quotes, and YAML reads a 21-digit number as a decimal that loses its last digits: write service_account_unique_id: "112233445566778899001"`
	if got := UnquotedUniqueIDProblem("112233445566778899001"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestEmailProblem(t *testing.T) {
	check(t, "EmailProblem", EmailProblem, map[string]string{
		"": "",
		"reader@analysis-prod.iam.gserviceaccount.com":       "",
		"123456789012-compute@developer.gserviceaccount.com": "",
		"112233445566778899001":                              "the unique id belongs in service_account_unique_id",
		"reader":                                             "is not an email address",
		"Reader@analysis-prod.iam.gserviceaccount.com":       "write reader@analysis-prod.iam.gserviceaccount.com",
		"jo.bloggs@gmail.com":                                "is not a service account's email",
	})
}

func TestTenantIDProblem(t *testing.T) {
	check(t, "TenantIDProblem", TenantIDProblem, map[string]string{
		"3fa85f64-5717-4562-b3fc-2c963f66afa6":   "",
		"":                                       "is empty: write the reader's tenant id (az account show",
		"3FA85F64-5717-4562-B3FC-2C963F66AFA6":   "has upper-case letters: write it in lower case, 3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"{3fa85f64-5717-4562-b3fc-2c963f66afa6}": "has braces around it: write it without them, 3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"{3FA85F64-5717-4562-B3FC-2C963F66AFA6}": "write it without them, 3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"contoso.onmicrosoft.com":                "is a domain name, but the role trusts the tenant id",
		"Contoso.co.uk":                          "is a domain name",
		"admin@contoso.onmicrosoft.com":          "is an email address",
		"common":                                 "stands for many tenants",
		"organizations":                          "stands for many tenants",
		"3fa85f64571745 62b3fc2c963f66afa6":      "is not a UUID",
		"3fa85f64-5717-4562-b3fc-2c963f66afa":    "is not a UUID",
	})
}

func TestObjectIDProblem(t *testing.T) {
	check(t, "ObjectIDProblem", ObjectIDProblem, map[string]string{
		"6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90": "",
		"":                                     "is empty, which would trust every principal in the tenant",
		"6E8B1F4A-2F0B-4C39-9D36-5F1A7C2E8B90": "write it in lower case, 6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90",
		"reader-identity":                      "is not a UUID",
		"jo@contoso.onmicrosoft.com":           "is an email address",
	})
	if got := ObjectIDProblem(""); !strings.Contains(got, "principalId") {
		t.Errorf("ObjectIDProblem(\"\") = %q does not say how to find the object id", got)
	}
}

func TestClientIDProblem(t *testing.T) {
	check(t, "ClientIDProblem", ClientIDProblem, map[string]string{
		"0f1e2d3c-4b5a-4968-8776-655443322110":       "",
		"api://0f1e2d3c-4b5a-4968-8776-655443322110": "is an Application ID URI, but client_id is the application's client id: write 0f1e2d3c-4b5a-4968-8776-655443322110",
		"04b07795-8ddb-461a-bbee-02f9e1bf7b46":       "Microsoft's own Azure CLI",
		"1950a258-227b-4e31-a9cf-717495945fc2":       "Microsoft's own Azure PowerShell",
		"00000003-0000-0000-c000-000000000000":       "Microsoft's own Microsoft Graph",
		"797f4846-ba00-4fd7-ba43-dac1f8f63013":       "Microsoft's own Azure Resource Manager",
		"872cd9fa-d31f-45e0-9eab-6e460a02d1f1":       "Microsoft's own Visual Studio",
		"00000007-0000-0000-c000-000000000000":       "Microsoft's own first-party service",
		"00000004-0000-0ff1-ce00-000000000000":       "Microsoft's own first-party service",
		"04B07795-8DDB-461A-BBEE-02F9E1BF7B46":       "write it in lower case",
		"":                                           "is empty",
	})
}

func TestReaderProblemsNamesEachField(t *testing.T) {
	gcp := []GCPReader{gcpReader, {ServiceAccountUniqueID: "reader@analysis-prod.iam.gserviceaccount.com", ServiceAccountEmail: "reader"}}
	azure := []AzureReader{
		azureReader,
		{TenantID: "contoso.onmicrosoft.com", ObjectID: "", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
		{TenantID: azureReader.TenantID, ObjectID: azureReader.ClientID, ClientID: azureReader.ClientID},
	}
	var got []string
	for _, p := range ReaderProblems(testDataset, gcp, azure) {
		got = append(got, p.Field)
	}
	want := []string{
		"gcp_readers[1].service_account_unique_id",
		"gcp_readers[1].service_account_email",
		"azure_readers[1].tenant_id",
		"azure_readers[1].object_id",
		"azure_readers[1].client_id",
		"azure_readers[2].object_id",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields with problems:\n got %v\nwant %v", got, want)
	}
	if problems := ReaderProblems(testDataset, []GCPReader{gcpReader}, []AzureReader{azureReader}); problems != nil {
		t.Errorf("valid readers have problems: %v", problems)
	}
}

func TestReaderProblemsRefusesAReaderListedTwice(t *testing.T) {
	sameAccountOtherEmail := GCPReader{ServiceAccountUniqueID: gcpReader.ServiceAccountUniqueID, ServiceAccountEmail: "renamed@analysis-prod.iam.gserviceaccount.com"}
	samePrincipalOtherApp := AzureReader{TenantID: azureReader.TenantID, ObjectID: azureReader.ObjectID, ClientID: "7c6b5a49-3827-4615-9403-f2e1d0c9b8a7"}
	problems := ReaderProblems(testDataset, []GCPReader{gcpReader, sameAccountOtherEmail}, []AzureReader{azureReader, samePrincipalOtherApp})
	want := []Problem{
		{"gcp_readers[1]", "repeats gcp_readers[0] (Google Cloud service account 112233445566778899001 (renamed@analysis-prod.iam.gserviceaccount.com)): list each reader once, since one identity needs one role"},
		{"azure_readers[1]", "repeats azure_readers[0] (Azure principal 6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90 in tenant 3fa85f64-5717-4562-b3fc-2c963f66afa6, tokens for application 7c6b5a49-3827-4615-9403-f2e1d0c9b8a7): list each reader once, since one identity needs one role"},
	}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems:\n got %v\nwant %v", problems, want)
	}
}

// Two valid readers whose role names clash are refused. The pair was found
// by searching unique ids 1<20 digits> upwards for dataset "x" (a 32-bit
// digest clashes within some hundred thousand identities); both digests are
// f81361dc (printf 'x\ngcp\n100000000000000044675' | sha256sum).
func TestReaderProblemsRefusesClashingRoleNames(t *testing.T) {
	const dataset, first, second = "x", "100000000000000044675", "100000000000000106909"
	a, b := GCPReader{ServiceAccountUniqueID: first}, GCPReader{ServiceAccountUniqueID: second}
	if RoleName(dataset, a) != RoleName(dataset, b) {
		t.Fatalf("%s and %s no longer clash: %s, %s", first, second, RoleName(dataset, a), RoleName(dataset, b))
	}
	problems := ReaderProblems(dataset, []GCPReader{a, b}, nil)
	want := []Problem{{"gcp_readers[1]", "gets the role name read_x-f81361dc, as gcp_readers[0] does (their digests clash, about once in four billion pairs): ask the data engineering team, who must change how reader roles are named"}}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems:\n got %v\nwant %v", problems, want)
	}
}

// The trust policies of valid readers, for the longest dataset name, stay far
// below IAM's limit; the guard still trips on a longer policy.
func TestTrustPoliciesStayFarBelowTheLimit(t *testing.T) {
	longest := strings.Repeat("d", naming.MaxPullNameLength)
	for _, r := range []Reader{gcpReader, azureReader} {
		role := RoleName(longest, r)
		size := len(r.sizedTrustPolicy(role).JSON())
		t.Logf("%s: longest trust policy %d characters of %d", r.Cloud(), size, MaxTrustPolicyLength)
		if size > MaxTrustPolicyLength/4 {
			t.Errorf("%s trust policy is %d characters, a quarter of IAM's limit or more", r.Cloud(), size)
		}
	}
	if trustPolicyProblem(strings.Repeat("x", MaxTrustPolicyLength)) != "" {
		t.Error("a policy at the limit is refused")
	}
	if got := trustPolicyProblem(strings.Repeat("x", MaxTrustPolicyLength+1)); !strings.Contains(got, "2049 characters, but IAM allows 2048") {
		t.Errorf("a policy over the limit: %q", got)
	}
}

func TestTenantsGroupsClientIDsForOneProviderEach(t *testing.T) {
	other := "11111111-2222-4333-8444-555555555555"
	readers := []AzureReader{
		{TenantID: other, ObjectID: "a", ClientID: "c2"},
		azureReader,
		{TenantID: other, ObjectID: "b", ClientID: "c1"},
		{TenantID: other, ObjectID: "c", ClientID: "c2"},
	}
	want := []Tenant{
		{ID: other, ClientIDs: []string{"c1", "c2"}},
		{ID: azureReader.TenantID, ClientIDs: []string{azureReader.ClientID}},
	}
	if got := Tenants(readers); !reflect.DeepEqual(got, want) {
		t.Errorf("Tenants = %v; want %v", got, want)
	}
}

func TestTenantProblemAtIAMsLimit(t *testing.T) {
	clients := func(n int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		}
		return ids
	}
	if got := (Tenant{ID: azureReader.TenantID, ClientIDs: clients(MaxClientIDsPerProvider)}).Problem(); got != "" {
		t.Errorf("100 client ids: %q", got)
	}
	got := (Tenant{ID: azureReader.TenantID, ClientIDs: clients(MaxClientIDsPerProvider + 1)}).Problem()
	if !strings.Contains(got, "101 different client ids, but the tenant's OIDC provider may list at most 100") {
		t.Errorf("101 client ids: %q", got)
	}
}
