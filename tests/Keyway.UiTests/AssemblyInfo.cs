// One headless Chromium at a time: the machine is small and each test drives a whole browser.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
