/* placeholder: implemented by the xmlrpc work */
