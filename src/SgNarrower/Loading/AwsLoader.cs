using System.Reflection;
using System.Runtime.CompilerServices;
using SgNarrower.AwsApi;

namespace SgNarrower.Loading
{
    /// <summary>
    /// Loads the AWS layer (SgNarrower.Aws.dll and the AWS SDK) from the module's Dependencies folder, on first use.
    /// On PowerShell 7 it goes into an AssemblyLoadContext of its own, so a session that already loaded another
    /// AWSSDK.Core (AWS.Tools) keeps its version and we keep ours. Windows PowerShell 5.1 has one context: there the
    /// folder is searched by an AssemblyResolve handler.
    /// </summary>
    internal static class AwsLoader
    {
        private const string AwsAssemblyName = "SgNarrower.Aws";
        private const string FactoryTypeName = "SgNarrower.AwsSdk.AwsClientFactory";
        private static readonly object Gate = new object();
        private static IAwsClientFactory? _factory;

        public static string DependencyDirectory =>
            Path.Combine(Path.GetDirectoryName(typeof(AwsLoader).Assembly.Location) ?? ".", "Dependencies");

        public static bool IsCoreClr => typeof(object).Assembly.GetName().Name == "System.Private.CoreLib";

        public static IAwsClientFactory Factory
        {
            get
            {
                lock (Gate)
                {
                    return _factory ??= Load();
                }
            }
        }

        private static IAwsClientFactory Load()
        {
            var dir = DependencyDirectory;
            var path = Path.Combine(dir, AwsAssemblyName + ".dll");
            if (!File.Exists(path))
                throw new FileNotFoundException($"The AWS layer of SgNarrower is missing ({path}). Reinstall the module or run ./build.ps1 -Task Build.", path);
            Assembly assembly = IsCoreClr ? LoadIsolated(dir, path) : LoadWithResolver(dir, path);
            var type = assembly.GetType(FactoryTypeName, throwOnError: true)!;
            return (IAwsClientFactory)Activator.CreateInstance(type)!;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Assembly LoadIsolated(string dir, string path) => DependencyLoadContext.Create(dir).LoadFromAssemblyPath(path);

        private static Assembly LoadWithResolver(string dir, string path)
        {
            AppDomain.CurrentDomain.AssemblyResolve += (sender, args) =>
            {
                var name = new AssemblyName(args.Name).Name;
                var candidate = Path.Combine(dir, name + ".dll");
                return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
            };
            return Assembly.LoadFrom(path);
        }
    }
}
