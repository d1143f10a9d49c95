namespace SgNarrower.Commands
{
    internal static class ModuleInfo
    {
        public static string Version
        {
            get
            {
                var v = typeof(ModuleInfo).Assembly.GetName().Version;
                return v == null ? "0.0.0" : $"{v.Major}.{v.Minor}.{v.Build}";
            }
        }

        /// <summary>What records name as their writer.</summary>
        public static string Tool => "SgNarrower/" + Version;
    }
}
