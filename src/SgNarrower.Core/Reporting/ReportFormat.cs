namespace SgNarrower.Reporting
{
    /// <summary>A page for a browser, or Markdown for a ticket or a pull request.</summary>
    public enum ReportFormat { Html, Markdown }
}
