using System.Threading.Tasks;
using Amazon.Runtime;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    internal static class SdkCalls
    {
        /// <summary>Runs one SDK call synchronously (cmdlets are synchronous) and turns its failures into ours.</summary>
        public static T Run<T>(string service, string action, Func<Task<T>> call) =>
            RunAsync(service, action, call).ConfigureAwait(false).GetAwaiter().GetResult();

        public static async Task<T> RunAsync<T>(string service, string action, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (AmazonServiceException e) when (!string.IsNullOrEmpty(e.ErrorCode))
            {
                throw new AwsServiceException(service, action, e.ErrorCode, e.Message, (int)e.StatusCode, e);
            }
            catch (AmazonServiceException e) when (e.InnerException is System.Net.Http.HttpRequestException || e.StatusCode == 0)
            {
                throw new AwsServiceException(service, action, "ConnectionFailure", Innermost(e), 0, e);
            }
            catch (AmazonServiceException e)
            {
                throw new AwsServiceException(service, action, "HttpStatus" + (int)e.StatusCode, e.Message, (int)e.StatusCode, e);
            }
            catch (Exception e) when (e is System.Net.Http.HttpRequestException || e is System.Net.WebException ||
                                      e is System.Net.Sockets.SocketException || e is TaskCanceledException || e is System.IO.IOException)
            {
                throw new AwsServiceException(service, action, "ConnectionFailure", Innermost(e), 0, e);
            }
            catch (AmazonClientException e) when (ServiceErrorWithin(e) is AmazonServiceException inner)
            {
                // The call never went out: getting its credentials failed (an assumed role, SSO, web identity).
                throw new AwsServiceException(service, action, "CredentialsFailed",
                    $"The credentials could not be obtained: {Chain(e)} ({inner.ErrorCode}).", (int)inner.StatusCode, e);
            }
            catch (AmazonClientException e)
            {
                throw new AwsServiceException(service, action, "ClientError", Chain(e), 0, e);
            }
        }

        private static AmazonServiceException? ServiceErrorWithin(Exception e)
        {
            for (var x = e.InnerException; x != null; x = x.InnerException)
                if (x is AmazonServiceException s && !string.IsNullOrEmpty(s.ErrorCode)) return s;
            return null;
        }

        /// <summary>The messages of an exception and its causes that say something, outermost first.</summary>
        private static string Chain(Exception e)
        {
            var parts = new System.Collections.Generic.List<string>();
            for (var x = e; x != null; x = x.InnerException)
                if (!x.Message.StartsWith("Exception of type", StringComparison.Ordinal) && !parts.Contains(x.Message)) parts.Add(x.Message.TrimEnd('.'));
            return string.Join(": ", parts);
        }

        private static string Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e.Message;
        }
    }
}
