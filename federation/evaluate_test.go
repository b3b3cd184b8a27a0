package federation

import (
	"errors"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

// gcpCase is the role, trust policy and exact request of the test's Google
// reader.
func gcpCase() (iampolicy.Document, Request) {
	role := RoleName(testDataset, gcpReader)
	id := gcpReader.ServiceAccountUniqueID
	return gcpReader.TrustPolicy(role), Request{
		Provider: Google,
		Action:   AssumeRoleWithWebIdentity,
		// What the metadata server or gcloud gives the service account for
		// the role's audience.
		Token: Token{Issuer: "https://accounts.google.com", Audience: GCPAudience(role), AuthorizedParty: id, Subject: id},
	}
}

// azureCase is the same for the test's Azure reader.
func azureCase() (iampolicy.Document, Request) {
	provider := AzureProviderARN(testAccount, azureReader.TenantID)
	return azureReader.TrustPolicy(provider), Request{
		Provider: provider,
		Action:   AssumeRoleWithWebIdentity,
		// A v2 access token for the reader's application: azp is the client
		// that asked (a managed identity's own application id), which AWS
		// does not read for an OIDC provider.
		Token: Token{
			Issuer:          AzureIssuer(azureReader.TenantID),
			Audience:        azureReader.ClientID,
			AuthorizedParty: "9b2a7e55-0c1d-4f3e-8a6b-5d4c3b2a1f00",
			Subject:         azureReader.ObjectID,
		},
	}
}

// mutation changes one thing in a request.
type mutation struct {
	name   string
	mutate func(*Request)
}

// claimMutations change, drop or wildcard each claim of the token in turn.
func claimMutations(other Token) []mutation {
	claims := []struct {
		name  string
		field func(*Token) *string
	}{
		{"iss", func(t *Token) *string { return &t.Issuer }},
		{"aud", func(t *Token) *string { return &t.Audience }},
		{"azp", func(t *Token) *string { return &t.AuthorizedParty }},
		{"sub", func(t *Token) *string { return &t.Subject }},
	}
	var mutations []mutation
	for _, c := range claims {
		replacement := *c.field(&other)
		mutations = append(mutations,
			mutation{"changed " + c.name, func(r *Request) { *c.field(&r.Token) = replacement }},
			mutation{"dropped " + c.name, func(r *Request) { *c.field(&r.Token) = "" }},
			mutation{"wildcarded " + c.name, func(r *Request) { *c.field(&r.Token) = "*" }},
		)
	}
	return mutations
}

// assertDenied evaluates each mutation of the exact request and requires an
// understood denial, except for the mutations listed as harmless.
func assertDenied(t *testing.T, doc iampolicy.Document, exact Request, mutations []mutation, harmless ...string) {
	t.Helper()
	if allowed, err := Evaluate(doc, exact); !allowed || err != nil {
		t.Fatalf("the exact reader is refused (allowed %v, err %v)", allowed, err)
	}
	for _, m := range mutations {
		req := exact
		m.mutate(&req)
		allowed, err := Evaluate(doc, req)
		if err != nil {
			t.Errorf("%s: %v (a denial must come from the conditions, not from a policy the evaluator does not understand)", m.name, err)
			continue
		}
		isHarmless := false
		for _, h := range harmless {
			isHarmless = isHarmless || h == m.name
		}
		if allowed != isHarmless {
			t.Errorf("%s: allowed = %v; want %v", m.name, allowed, isHarmless)
		}
	}
}

func TestGCPTrustAdmitsOnlyTheServiceAccountWithTheRolesAudience(t *testing.T) {
	doc, exact := gcpCase()
	otherID := "998877665544332211009"
	mutations := append(claimMutations(Token{
		Issuer:          "https://oidc.example.com",
		Audience:        "sts.amazonaws.com",
		AuthorizedParty: otherID,
		Subject:         otherID,
	}),
		mutation{"another Google account, asking for the role's audience (an audience-only match)", func(r *Request) {
			r.Token.AuthorizedParty, r.Token.Subject = otherID, otherID
		}},
		mutation{"the service account's token for another role", func(r *Request) {
			r.Token.Audience = GCPAudience(RoleName("other_project", gcpReader))
		}},
		mutation{"a token whose aud is the unique id and has no azp", func(r *Request) {
			r.Token.Audience, r.Token.AuthorizedParty = gcpReader.ServiceAccountUniqueID, ""
		}},
		mutation{"a token presented through an OIDC provider", func(r *Request) {
			r.Provider = "arn:aws:iam::123456789012:oidc-provider/accounts.google.com"
		}},
		mutation{"sts:AssumeRole", func(r *Request) { r.Action = "sts:AssumeRole" }},
		mutation{"sts:TagSession", func(r *Request) { r.Action = "sts:TagSession" }},
		mutation{"the issuer without https://", func(r *Request) { r.Token.Issuer = "accounts.google.com" }},
		mutation{"the action in lower case", func(r *Request) { r.Action = "sts:assumerolewithwebidentity" }},
	)
	// Google's tokens name their issuer either way, and AWS reads action
	// names without regard to case.
	assertDenied(t, doc, exact, mutations, "the issuer without https://", "the action in lower case")
}

func TestAzureTrustAdmitsOnlyThePrincipalWithTokensForItsApplication(t *testing.T) {
	doc, exact := azureCase()
	tenant := azureReader.TenantID
	otherTenant := "11111111-2222-4333-8444-555555555555"
	otherPrincipal := "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"
	mutations := append(claimMutations(Token{
		Issuer:          AzureIssuer(otherTenant),
		Audience:        "0f1e2d3c-4b5a-4968-8776-000000000000",
		AuthorizedParty: otherPrincipal,
		Subject:         otherPrincipal,
	}),
		mutation{"another principal of the tenant, with a token for the application (an audience-only match)", func(r *Request) {
			r.Token.Subject = otherPrincipal
		}},
		mutation{"a v1 token (issuer sts.windows.net) presented to the tenant's provider", func(r *Request) {
			r.Token.Issuer = "https://sts.windows.net/" + tenant + "/"
		}},
		mutation{"a v1 token through a v1 provider", func(r *Request) {
			r.Token.Issuer = "https://sts.windows.net/" + tenant + "/"
			r.Provider = "arn:aws:iam::" + testAccount + ":oidc-provider/sts.windows.net/" + tenant + "/"
		}},
		mutation{"a v1-style audience (the Application ID URI)", func(r *Request) {
			r.Token.Audience = "api://" + azureReader.ClientID
		}},
		mutation{"the same principal id from another tenant, through that tenant's provider", func(r *Request) {
			r.Token.Issuer = AzureIssuer(otherTenant)
			r.Provider = AzureProviderARN(testAccount, otherTenant)
		}},
		mutation{"another tenant's token presented to this tenant's provider", func(r *Request) {
			r.Token.Issuer = AzureIssuer(otherTenant)
		}},
		mutation{"the tenant's provider in another account", func(r *Request) {
			r.Provider = AzureProviderARN("210987654321", tenant)
		}},
		mutation{"through Google", func(r *Request) { r.Provider = Google }},
		mutation{"sts:TagSession", func(r *Request) { r.Action = "sts:TagSession" }},
	)
	// AWS does not read azp for an OIDC provider: whichever client asked,
	// the token is for the reader's application and names the principal.
	assertDenied(t, doc, exact, mutations, "changed azp", "dropped azp", "wildcarded azp")
}

// The evaluator is no rubber stamp: the policies that the shape check
// refuses do let the wrong callers in, which is why it refuses them.
func TestWiderPoliciesAdmitTheWrongCallers(t *testing.T) {
	gcpDoc, gcpExact := gcpCase()
	azureDoc, azureExact := azureCase()
	otherID := "998877665544332211009"
	anotherGoogleAccount := gcpExact
	anotherGoogleAccount.Token.AuthorizedParty, anotherGoogleAccount.Token.Subject = otherID, otherID
	tokenForAnotherService := gcpExact
	tokenForAnotherService.Token.Audience = "https://reports.example.run.app"
	anotherPrincipal := azureExact
	anotherPrincipal.Token.Subject = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"

	cases := []struct {
		name  string
		doc   iampolicy.Document
		drop  string
		admit Request
	}{
		{"GCP trust on the audience alone", gcpDoc, "aud sub", anotherGoogleAccount},
		{"GCP trust without the role's audience", gcpDoc, "oaud", tokenForAnotherService},
		{"Azure trust on the application alone", azureDoc, "sub", anotherPrincipal},
	}
	for _, c := range cases {
		wider := withoutKeys(c.doc, c.drop)
		if Allows(c.doc, c.admit) {
			t.Errorf("%s: the narrow policy already admits the caller", c.name)
		}
		if !Allows(wider, c.admit) {
			t.Errorf("%s: the wider policy %s does not admit the caller", c.name, wider.JSON())
		}
	}
}

// withoutKeys is doc without the condition keys ending in the given
// space-separated suffixes (":aud", ...).
func withoutKeys(doc iampolicy.Document, suffixes string) iampolicy.Document {
	wider := clone(doc)
	for _, suffix := range strings.Fields(suffixes) {
		for key := range wider.Statement[0].Condition["StringEquals"] {
			if strings.HasSuffix(key, ":"+suffix) {
				delete(wider.Statement[0].Condition["StringEquals"], key)
			}
		}
	}
	return wider
}

// clone is a deep copy of doc, for tests that change one part of it.
func clone(doc iampolicy.Document) iampolicy.Document {
	parsed, err := ParseTrustPolicy(doc.JSON())
	if err != nil {
		panic(err)
	}
	return parsed
}

func TestEvaluatorModelsHowAWSReadsPolicies(t *testing.T) {
	doc, exact := gcpCase()
	t.Run("condition keys ignore case", func(t *testing.T) {
		upper := clone(doc)
		conditions := upper.Statement[0].Condition["StringEquals"]
		conditions["ACCOUNTS.GOOGLE.COM:SUB"] = conditions[GoogleSub]
		delete(conditions, GoogleSub)
		if !Allows(upper, exact) {
			t.Error("a key in upper case no longer matches")
		}
		exact := exact
		exact.Token.Subject = "998877665544332211009"
		if Allows(upper, exact) {
			t.Error("a key in upper case stopped pinning its value")
		}
	})
	t.Run("values of one key are alternatives", func(t *testing.T) {
		two := clone(doc)
		two.Statement[0].Condition["StringEquals"][GoogleOaud] = []string{"https://elsewhere", GCPAudience(RoleName(testDataset, gcpReader))}
		if !Allows(two, exact) {
			t.Error("the second of two values does not match")
		}
	})
	t.Run("statements are alternatives", func(t *testing.T) {
		azureDoc, azureExact := azureCase()
		both := iampolicy.New(doc.Statement[0], azureDoc.Statement[0])
		if !Allows(both, exact) || !Allows(both, azureExact) {
			t.Error("a policy of both statements does not admit both readers")
		}
	})
	t.Run("a key the token does not fill is false", func(t *testing.T) {
		extra := clone(doc)
		extra.Statement[0].Condition["StringEquals"]["accounts.google.com:email"] = []string{gcpReader.ServiceAccountEmail}
		if Allows(extra, exact) {
			t.Error("a condition on a key AWS never fills is met")
		}
	})
}

// Anything the evaluator does not model is denied with ErrNotUnderstood,
// never silently allowed or silently denied.
func TestEvaluatorFailsClosed(t *testing.T) {
	doc, exact := gcpCase()
	changes := map[string]func(*iampolicy.Statement, *iampolicy.Document){
		"another version": func(_ *iampolicy.Statement, d *iampolicy.Document) { d.Version = "2008-10-17" },
		"Deny":            func(s *iampolicy.Statement, _ *iampolicy.Document) { s.Effect = iampolicy.Deny },
		"StringLike": func(s *iampolicy.Statement, _ *iampolicy.Document) {
			s.Condition["StringLike"] = s.Condition["StringEquals"]
		},
		"ForAnyValue": func(s *iampolicy.Statement, _ *iampolicy.Document) {
			s.Condition["ForAnyValue:StringEquals"] = s.Condition["StringEquals"]
		},
		"IfExists": func(s *iampolicy.Statement, _ *iampolicy.Document) {
			s.Condition["StringEqualsIfExists"] = s.Condition["StringEquals"]
		},
		"an action pattern": func(s *iampolicy.Statement, _ *iampolicy.Document) { s.Action = []string{"sts:AssumeRole*"} },
		"an AWS principal": func(s *iampolicy.Statement, _ *iampolicy.Document) {
			s.Principal["AWS"] = []string{"arn:aws:iam::210987654321:root"}
		},
		"a principal pattern": func(s *iampolicy.Statement, _ *iampolicy.Document) { s.Principal["Federated"] = []string{"*"} },
		"a Resource":          func(s *iampolicy.Statement, _ *iampolicy.Document) { s.Resource = []string{"*"} },
		"a policy variable": func(s *iampolicy.Statement, _ *iampolicy.Document) {
			s.Condition["StringEquals"][GoogleAud] = []string{"${accounts.google.com:sub}"}
		},
	}
	for name, change := range changes {
		changed := clone(doc)
		change(&changed.Statement[0], &changed)
		allowed, err := Evaluate(changed, exact)
		if allowed || !errors.Is(err, ErrNotUnderstood) {
			t.Errorf("%s: allowed %v, err %v; want a denial with ErrNotUnderstood", name, allowed, err)
		}
		if Allows(changed, exact) {
			t.Errorf("%s: Allows is true", name)
		}
	}
}
