from erp_sandbox.business_central.server import main

main()
