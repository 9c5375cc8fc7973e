"""OpenAPI description of the county-system token (drf-spectacular extension, registered on import)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiClientTokenAuthentication"
    name = "countyToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "县级业务系统令牌：`Token lg_…`（由市级工作人员签发，绑定一个县市区，只读）。",
        }
