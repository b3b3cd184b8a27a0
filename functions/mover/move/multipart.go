package move

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// abortTimeout bounds the clean-up of a failed multipart copy, which runs
// even when the move's own context has ended.
const abortTimeout = 30 * time.Second

// copyMultipart copies the object in parts with UploadPartCopy, at most
// Config.Concurrency at a time, every part pinned to the source's ETag. It
// returns the ETag the destination must have (S3's multipart ETag computed
// from the parts' ETags) and the number of parts. On any failure it aborts
// the upload so no orphaned parts are left (and billed) in the recipient's
// bucket.
func (m *Mover) copyMultipart(ctx context.Context, obj Object, src source, size int64) (etag string, parts int, err error) {
	create, err := m.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:               &m.config.DestinationBucket,
		Key:                  &obj.Key,
		ExpectedBucketOwner:  &m.config.DestinationAccount,
		ACL:                  types.ObjectCannedACLBucketOwnerFullControl,
		ServerSideEncryption: types.ServerSideEncryptionAes256,
		// A multipart copy does not carry the source's headers over: set
		// them as CopyObject's COPY directive would.
		ContentType:        src.ContentType,
		Metadata:           src.Metadata,
		CacheControl:       src.CacheControl,
		ContentDisposition: src.ContentDisposition,
		ContentEncoding:    src.ContentEncoding,
		ContentLanguage:    src.ContentLanguage,
	})
	if err != nil {
		return "", 0, fmt.Errorf("start multipart copy: %w", err)
	}
	uploadID := create.UploadId
	defer func() {
		if err != nil {
			abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			if _, abortErr := m.s3.AbortMultipartUpload(abortCtx, &s3.AbortMultipartUploadInput{
				Bucket: &m.config.DestinationBucket, Key: &obj.Key, UploadId: uploadID, ExpectedBucketOwner: &m.config.DestinationAccount,
			}); abortErr != nil {
				err = fmt.Errorf("%w; and aborting multipart upload %s failed: %v (the recipient's incomplete-upload lifecycle rule, if any, removes it)", err, aws.ToString(uploadID), abortErr)
			}
		}
	}()

	partSize := m.config.partBytes(size)
	count := int((size + partSize - 1) / partSize)
	completed := make([]types.CompletedPart, count)
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(max(m.config.Concurrency, 1))
	for i := range count {
		first := int64(i) * partSize
		last := min(first+partSize, size) - 1
		number := aws.Int32(int32(i + 1))
		group.Go(func() error {
			out, err := m.s3.UploadPartCopy(groupCtx, &s3.UploadPartCopyInput{
				Bucket:                    &m.config.DestinationBucket,
				Key:                       &obj.Key,
				ExpectedBucketOwner:       &m.config.DestinationAccount,
				UploadId:                  uploadID,
				PartNumber:                number,
				CopySource:                aws.String(copySource(obj.Bucket, obj.Key)),
				ExpectedSourceBucketOwner: &m.config.SourceAccount,
				CopySourceIfMatch:         &src.etag,
				CopySourceRange:           aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
			})
			if err != nil {
				return fmt.Errorf("copy part %d (bytes %d-%d): %w", *number, first, last, err)
			}
			if out.CopyPartResult == nil || out.CopyPartResult.ETag == nil {
				return fmt.Errorf("copy part %d: S3 answered without an ETag", *number)
			}
			completed[i] = types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: number}
			return nil
		})
	}
	if err := group.Wait(); err != nil {
		return "", count, err
	}
	want, err := multipartETag(completed)
	if err != nil {
		return "", count, err
	}
	done, err := m.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:              &m.config.DestinationBucket,
		Key:                 &obj.Key,
		ExpectedBucketOwner: &m.config.DestinationAccount,
		UploadId:            uploadID,
		MultipartUpload:     &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		return "", count, fmt.Errorf("complete multipart copy: %w", err)
	}
	if got := aws.ToString(done.ETag); got != want {
		return "", count, fmt.Errorf("the completed copy has ETag %s, but its parts make %s", got, want)
	}
	return want, count, nil
}

// multipartETag is the ETag S3 gives an object assembled from parts: the
// MD5 of the parts' binary MD5s, a hyphen, and the number of parts.
func multipartETag(parts []types.CompletedPart) (string, error) {
	sums := md5.New()
	for _, p := range parts {
		raw, err := hex.DecodeString(strings.Trim(aws.ToString(p.ETag), `"`))
		if err != nil || len(raw) != md5.Size {
			return "", fmt.Errorf("part %d has ETag %s, which is not an MD5", aws.ToInt32(p.PartNumber), aws.ToString(p.ETag))
		}
		sums.Write(raw)
	}
	return fmt.Sprintf(`"%x-%d"`, sums.Sum(nil), len(parts)), nil
}
