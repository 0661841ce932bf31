-- wrk connects to SOAK_ADDRESS whatever the URL's host: the stack's names exist only in its own
-- DNS, and the URL keeps the name for SNI and the Host field.
function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup(os.getenv("SOAK_ADDRESS"), service)
end
