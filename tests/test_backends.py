"""The service names the backend serving each capability."""


def test_service_routes_through_the_offline_backends(service):
    assert service.generate_product_image("navy blue jeans")[0].size == (512, 512)
    assert service.backends()["image generation"].startswith("offline: labelled sketches")
    assert service.backends()["stylist"].startswith("offline: fashion rules")
