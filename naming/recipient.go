package naming

// What a push dataset's mover does in its recipient's bucket, and only under
// the dataset's prefix there. The mover role's own policy (pushexport) and
// the bucket policy the recipient saves (internal/handout) both grant
// exactly these actions, from here, so that the two sides of the grant
// cannot drift apart: a recipient granting less stops deliveries, one
// granting more gives the role rights it never uses.

// RecipientWriteActions deliver an object: the copy itself (in one request,
// or in parts for large objects), its canned ACL bucket-owner-full-control,
// and the removal of the parts a failed multipart copy leaves behind.
func RecipientWriteActions() []string {
	return []string{"s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"}
}

// RecipientReadBackActions let the mover read a copy back (HeadObject) to
// check it before deleting the source, and to recognise an object it has
// already delivered.
func RecipientReadBackActions() []string { return []string{"s3:GetObject"} }

// MoverRoleARN is the ARN of a push dataset's mover role in account, the
// principal of the recipient's bucket policy.
func MoverRoleARN(account, dataset string) string {
	return "arn:aws:iam::" + account + ":role" + MoverRolePath + MoverName(dataset)
}
