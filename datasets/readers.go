package datasets

import (
	"fmt"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// checkReaders checks who may read a pull dataset's bucket: the roles in
// pull_arns and the federated readers in gcp_readers and azure_readers.
//
// A pull dataset needs at least one reader of any kind. pull_arns may be
// empty, or left out, when gcp_readers or azure_readers is written (even
// with mistakes, which are reported where they are); a file with no reader
// at all is told to fill pull_arns, as before federated readers existed.
func checkReaders(fp *fileProblems, p *Pull) {
	federated := len(p.GCPReaders)+len(p.AzureReaders) > 0 ||
		fp.reported(federation.FieldGCPReaders) || fp.reported(federation.FieldAzureReaders)
	if !federated || len(p.PullARNs) > 0 {
		checkPullARNs(fp, p.PullARNs)
	}
	for _, problem := range federation.ReaderProblems(p.Name, p.GCPReaders, p.AzureReaders) {
		// A field the decoder refused (missing, not text, a number) was
		// left empty: its problem is said already.
		if !fp.reportedWithin(problem.Field) {
			fp.add(problem.Field, problem.Message)
		}
	}
}

// tenantProblems reports the Azure tenants whose readers, across every pull
// dataset, have more applications than the tenant's one OIDC provider may
// list: on each file with readers of such a tenant, at the first of them.
// Readers with mistakes of their own are left out, as reported already.
func tenantProblems(files []*datasetFile) Problems {
	var readers []federation.AzureReader
	for _, f := range files {
		if pull, ok := f.dataset.(*Pull); ok {
			for _, r := range pull.AzureReaders {
				if len(r.Problems()) == 0 {
					readers = append(readers, r)
				}
			}
		}
	}
	var problems Problems
	for _, tenant := range federation.Tenants(readers) {
		problem := tenant.Problem()
		if problem == "" {
			continue
		}
		for _, f := range files {
			pull, ok := f.dataset.(*Pull)
			if !ok {
				continue
			}
			for i, r := range pull.AzureReaders {
				if r.TenantID == tenant.ID {
					problems = append(problems, Problem{File: f.path, Field: fmt.Sprintf("%s[%d].%s", federation.FieldAzureReaders, i, federation.FieldClientID),
						Message: fmt.Sprintf("is an application of tenant %s, whose readers in every dataset share one OIDC provider, and the tenant %s", tenant.ID, problem)})
					break
				}
			}
		}
	}
	return problems
}
