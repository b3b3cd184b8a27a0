package federation

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

func TestReadTrustGivesBackTheReader(t *testing.T) {
	gcpDoc, _ := gcpCase()
	azureDoc, _ := azureCase()
	gcpRole := RoleName(testDataset, gcpReader)
	// The email is for people and is not in the policy.
	withoutEmail := GCPReader{ServiceAccountUniqueID: gcpReader.ServiceAccountUniqueID}
	cases := []struct {
		role string
		doc  iampolicy.Document
		want Reader
	}{
		{gcpRole, gcpDoc, withoutEmail},
		{RoleName(testDataset, azureReader), azureDoc, azureReader},
	}
	for _, c := range cases {
		if err := CheckTrustShape(c.doc); err != nil {
			t.Errorf("CheckTrustShape(%s): %v", c.doc.JSON(), err)
		}
		got, err := ReadTrust(c.role, c.doc)
		if err != nil || got != c.want {
			t.Errorf("ReadTrust(%s) = %v, %v; want %v", c.role, got, err, c.want)
		}
		if got, err := ReadTrustPolicy(c.role, c.doc.JSON()); err != nil || got != c.want {
			t.Errorf("ReadTrustPolicy(%s) = %v, %v; want %v", c.role, got, err, c.want)
		}
	}
	// Another role's audience: the shape is right, but not for this role.
	if _, err := ReadTrust("read_other-00000000", gcpDoc); err == nil || !strings.Contains(err.Error(), "own audience") {
		t.Errorf("ReadTrust with another role's name: err = %v; want the audience refused", err)
	}
}

// Every policy a person or a bug could write in place of the narrow one is
// refused, with a reason that says what is wrong.
func TestCheckTrustShapeRefusesEveryOtherShape(t *testing.T) {
	gcpDoc, _ := gcpCase()
	azureDoc, _ := azureCase()
	tenant := azureReader.TenantID
	type change = func(*iampolicy.Document, *iampolicy.Statement, map[string][]string)
	cases := []struct {
		name   string
		doc    iampolicy.Document
		change change
		reason string
	}{
		{"a second statement", gcpDoc, func(d *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			d.Statement = append(d.Statement, *s)
		}, "2 statements"},
		{"no statement", gcpDoc, func(d *iampolicy.Document, _ *iampolicy.Statement, _ map[string][]string) { d.Statement = nil }, "0 statements"},
		{"another version", gcpDoc, func(d *iampolicy.Document, _ *iampolicy.Statement, _ map[string][]string) { d.Version = "2008-10-17" }, "Version"},
		{"Deny", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) { s.Effect = iampolicy.Deny }, `Effect "Deny"`},
		{"a Resource", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) { s.Resource = []string{"*"} }, "Resource"},
		{"sts:TagSession too", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Action = append(s.Action, "sts:TagSession")
		}, "sts:TagSession"},
		{"sts:*", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Action = []string{"sts:*"}
		}, "sts:*"},
		{"an AWS principal too", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["AWS"] = []string{"arn:aws:iam::210987654321:root"}
		}, "one Federated provider"},
		{"two providers", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["Federated"] = append(s.Principal["Federated"], "cognito-identity.amazonaws.com")
		}, "one Federated provider"},
		{"StringLike", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, c map[string][]string) {
			s.Condition = iampolicy.Condition{"StringLike": c}
		}, "one StringEquals"},
		{"a second operator", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Condition["StringNotEquals"] = map[string][]string{GoogleSub: {"1"}}
		}, "one StringEquals"},
		{"no sub (trust on the audience alone)", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			delete(c, GoogleSub)
		}, "has no accounts.google.com:sub condition"},
		{"no aud", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) { delete(c, GoogleAud) }, "has no accounts.google.com:aud"},
		{"no oaud", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) { delete(c, GoogleOaud) }, "has no accounts.google.com:oaud"},
		{"a fourth key", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c["accounts.google.com:email"] = []string{"x@y.iam.gserviceaccount.com"}
		}, "accounts.google.com:email"},
		{"two service accounts", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[GoogleSub] = append(c[GoogleSub], "998877665544332211009")
		}, "2 values"},
		{"aud and sub apart", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[GoogleAud] = []string{"998877665544332211009"}
		}, "both are its unique id"},
		{"a wildcard unique id", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[GoogleAud], c[GoogleSub] = []string{"*"}, []string{"*"}
		}, "is a name"},
		{"an audience not of this tool", gcpDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[GoogleOaud] = []string{"sts.amazonaws.com"}
		}, "its own audience"},
		{"an OIDC provider for Google", gcpDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["Federated"] = []string{"arn:aws:iam::123456789012:oidc-provider/accounts.google.com"}
		}, "trusts arn:aws:iam::123456789012:oidc-provider/accounts.google.com"},
		{"the v1 issuer", azureDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["Federated"] = []string{"arn:aws:iam::123456789012:oidc-provider/sts.windows.net/" + tenant + "/"}
		}, "v1 tokens"},
		{"the tenant-independent issuer", azureDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["Federated"] = []string{AzureProviderARN(testAccount, "common")}
		}, "many tenants"},
		{"keys of another tenant", azureDoc, func(_ *iampolicy.Document, s *iampolicy.Statement, _ map[string][]string) {
			s.Principal["Federated"] = []string{AzureProviderARN(testAccount, "11111111-2222-4333-8444-555555555555")}
		}, "has no login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0:aud"},
		{"no sub (every principal in the tenant)", azureDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			delete(c, AzureSub(tenant))
		}, "has no login.microsoftonline.com/" + tenant + "/v2.0:sub condition"},
		{"a wildcard principal", azureDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[AzureSub(tenant)] = []string{"*"}
		}, "object_id that is not a UUID"},
		{"Microsoft's Azure CLI as the application", azureDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[AzureAud(tenant)] = []string{"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}
		}, "Azure CLI"},
		{"the application as the principal", azureDoc, func(_ *iampolicy.Document, _ *iampolicy.Statement, c map[string][]string) {
			c[AzureSub(tenant)] = []string{azureReader.ClientID}
		}, "same as client_id"},
	}
	for _, c := range cases {
		changed := clone(c.doc)
		c.change(&changed, &changed.Statement[0], changed.Statement[0].Condition["StringEquals"])
		err := CheckTrustShape(changed)
		if err == nil {
			t.Errorf("%s: %s is accepted", c.name, changed.JSON())
			continue
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: reason %q does not say %q", c.name, err, c.reason)
		}
	}
}

// A plan shows a policy as Terraform and IAM normalise it: single values
// without lists, a statement without a list around it. Those read the same.
func TestParseTrustPolicyReadsIAMsShortForms(t *testing.T) {
	short := `{"Version":"2012-10-17","Statement":{"Sid":"","Effect":"Allow",` +
		`"Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"accounts.google.com:aud":"112233445566778899001",` +
		`"accounts.google.com:oaud":"https://mojap-exports/read_new_project-95447771",` +
		`"accounts.google.com:sub":"112233445566778899001"}}}}`
	doc, err := ParseTrustPolicy(short)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := gcpCase()
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("parsed\n%s\nwant\n%s", doc.JSON(), want.JSON())
	}
	for _, d := range []iampolicy.Document{want, func() iampolicy.Document { d, _ := azureCase(); return d }()} {
		if got, err := ParseTrustPolicy(d.JSON()); err != nil || !reflect.DeepEqual(got, d) {
			t.Errorf("round trip of %s gave %s, %v", d.JSON(), got.JSON(), err)
		}
	}
}

func TestParseTrustPolicyRefusesWhatItCannotHoldExactly(t *testing.T) {
	valid, _ := gcpCase()
	text := valid.JSON()
	cases := map[string]string{
		"a key twice":                  strings.Replace(text, `"Effect":"Allow"`, `"Effect":"Deny","Effect":"Allow"`, 1),
		"a key in two cases":           strings.Replace(text, `"Effect":"Allow"`, `"effect":"Deny","Effect":"Allow"`, 1),
		"a condition key in two cases": strings.Replace(text, `"accounts.google.com:sub"`, `"ACCOUNTS.GOOGLE.COM:SUB":["1"],"accounts.google.com:sub"`, 1),
		"an element in lower case":     strings.Replace(text, `"Effect"`, `"effect"`, 1),
		"NotAction":                    strings.Replace(text, `"Action"`, `"NotAction"`, 1),
		"NotPrincipal":                 strings.Replace(text, `"Principal"`, `"NotPrincipal"`, 1),
		"anyone as principal":          strings.Replace(text, `{"Federated":["accounts.google.com"]}`, `"*"`, 1),
		"a number as a value":          strings.Replace(text, `["112233445566778899001"]`, `112233445566778899001`, 1),
		"a true flag":                  strings.Replace(text, `"StringEquals":{`, `"Bool":{"aws:SecureTransport":true},"StringEquals":{`, 1),
		"an Id":                        strings.Replace(text, `{"Version"`, `{"Id":"x","Version"`, 1),
		"text after it":                text + "{}",
		"not JSON":                     "Version: 2012-10-17",
	}
	for name, policy := range cases {
		if doc, err := ParseTrustPolicy(policy); err == nil {
			t.Errorf("%s: %s was read as %s", name, policy, doc.JSON())
		}
	}
}
