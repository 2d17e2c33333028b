"""policywatch: crawl, summarize and digest Chinese S&T and CPPCC policy news."""

__version__ = "0.1.0"
