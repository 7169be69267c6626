from erp_sandbox.netsuite.server import main

main()
