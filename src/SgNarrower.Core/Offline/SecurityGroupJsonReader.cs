using SgNarrower.AwsApi;

namespace SgNarrower.Offline
{
    /// <summary>
    /// The shapes of a security-group export. Reads security groups from the JSON that <c>aws ec2 describe-security-groups</c> prints
    /// (<c>{"SecurityGroups":[...]}</c>) and from <c>Get-EC2SecurityGroup | ConvertTo-Json -Depth 5</c>
    /// (an array of groups, or one group, with AWS.Tools' property names such as Ipv4Ranges).
    /// </summary>
    public static class SecurityGroupJsonReader
    {
        internal const string ExpectedShapes =
            "Expected the output of 'aws ec2 describe-security-groups' (an object with a SecurityGroups list) " +
            "or of 'Get-EC2SecurityGroup | ConvertTo-Json -Depth 5' (a list of security groups).";

        /// <summary>All groups of an export held in memory; files are read with <see cref="SecurityGroupStream"/>.</summary>
        public static List<SecurityGroupSnapshot> Read(string json) => new List<SecurityGroupSnapshot>(SecurityGroupStream.Read(json));
    }
}
